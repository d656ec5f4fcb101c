// SPDX-License-Identifier: MIT
#include "labname.h"

const char *labname_prefix(const char *env_prefix, const char *sudo_user)
{
	if (env_prefix)
		return env_prefix;
	/* root that ran sudo is root: the labs of the machine's owner */
	if (sudo_user && *sudo_user && !streq(sudo_user, "root"))
		return sudo_user;
	return "";
}

bool labname_is_mine(const char *prefix, const char *name)
{
	size_t n = strlen(prefix);

	return !n || (strncmp(name, prefix, n) == 0 && name[n] == '-' && name[n + 1]);
}

char *labname_qualify(const char *prefix, const char *name)
{
	if (!*prefix || labname_is_mine(prefix, name))
		return xstrdup(name);
	return xasprintf("%s-%s", prefix, name);
}

const char *labname_short(const char *prefix, const char *name)
{
	return *prefix && labname_is_mine(prefix, name) ? name + strlen(prefix) + 1 : name;
}
