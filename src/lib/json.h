/* SPDX-License-Identifier: MIT */
/* A minimal streaming JSON writer for --json output. */
#pragma once

#include "util.h"

struct json {
	FILE *f;
	int depth;
	bool need_comma[32];
};

void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_str(struct json *j, const char *key, const char *value); /* NULL: null */
void json_int(struct json *j, const char *key, long long value);
void json_uint(struct json *j, const char *key, unsigned long long value);
void json_bool(struct json *j, const char *key, bool value);
void json_double(struct json *j, const char *key, double value); /* finite */
