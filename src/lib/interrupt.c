// SPDX-License-Identifier: MIT
#include "interrupt.h"

#include <signal.h>
#include <stdbool.h>

static volatile sig_atomic_t caught, count;

static void on_signal(int sig)
{
	if (!caught)
		caught = sig;
	if (count < 2)
		count++;
}

void interrupt_catch(void)
{
	static bool done;
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};

	if (done)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	done = true;
}

int interrupt_signal(void)
{
	return caught;
}

bool interrupt_again(void)
{
	return count > 1;
}

const char *interrupt_name(int sig)
{
	switch (sig) {
	case SIGINT: return "SIGINT";
	case SIGTERM: return "SIGTERM";
	case SIGHUP: return "SIGHUP";
	default: return "a signal";
	}
}
