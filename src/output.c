// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Text / JSON field printer for srfdctl (see output.h). */
#include <string.h>

#include "output.h"

void out_init(struct srfd_out *o, FILE *f, int json, int pretty)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->json = json;
	o->pretty = pretty;
}

static void json_sep(struct srfd_out *o)
{
	if (o->need_comma)
		fputc(',', o->f);
	if (o->pretty && o->depth) {
		fputc('\n', o->f);
		fprintf(o->f, "%*s", 2 * o->depth, "");
	}
	o->need_comma = 1;
}

static void json_open(struct srfd_out *o, char c)
{
	if (!o->json)
		return;
	json_sep(o);
	fputc(c, o->f);
	o->depth++;
	o->need_comma = 0;
}

static void json_close(struct srfd_out *o, char c)
{
	if (!o->json)
		return;
	o->depth--;
	if (o->pretty && o->need_comma) {
		fputc('\n', o->f);
		fprintf(o->f, "%*s", 2 * o->depth, "");
	}
	fputc(c, o->f);
	o->need_comma = 1;
	if (!o->depth) {
		fputc('\n', o->f);
		o->need_comma = 0;
	}
}

void out_array_open(struct srfd_out *o)
{
	json_open(o, '[');
}

void out_array_close(struct srfd_out *o)
{
	json_close(o, ']');
}

void out_object_open(struct srfd_out *o)
{
	json_open(o, '{');
}

void out_object_close(struct srfd_out *o)
{
	json_close(o, '}');
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_key(struct srfd_out *o, const char *key)
{
	json_sep(o);
	json_string(o->f, key);
	fputs(o->pretty ? ": " : ":", o->f);
}

void out_str(struct srfd_out *o, const char *key, int width, const char *v)
{
	if (o->json) {
		json_key(o, key);
		json_string(o->f, v);
	} else if (width) {
		fprintf(o->f, "%-*s ", width, v);
	} else {
		fprintf(o->f, "%s %s ", key, v);
	}
}

void out_u64(struct srfd_out *o, const char *key, int width, __u64 v)
{
	if (o->json) {
		json_key(o, key);
		fprintf(o->f, "%llu", (unsigned long long)v);
	} else if (width) {
		fprintf(o->f, "%-*llu ", width, (unsigned long long)v);
	} else {
		fprintf(o->f, "%s %llu ", key, (unsigned long long)v);
	}
}

void out_f64(struct srfd_out *o, const char *key, int width, double v,
	     int decimals)
{
	if (o->json) {
		json_key(o, key);
		fprintf(o->f, "%.*f", decimals, v);
	} else if (width) {
		fprintf(o->f, "%-*.*f ", width, decimals, v);
	} else {
		fprintf(o->f, "%s %.*f ", key, decimals, v);
	}
}

void out_str_list(struct srfd_out *o, const char *key,
		  const char *const *v, unsigned int n)
{
	unsigned int i;

	if (o->json) {
		json_key(o, key);
		fputc('[', o->f);
		for (i = 0; i < n; i++) {
			if (i)
				fputc(',', o->f);
			json_string(o->f, v[i]);
		}
		fputc(']', o->f);
		return;
	}
	fprintf(o->f, "%s ", key);
	for (i = 0; i < n; i++)
		fprintf(o->f, "%s%s", i ? "," : "", v[i]);
	fputc(' ', o->f);
}

void out_record_end(struct srfd_out *o)
{
	if (!o->json)
		fputc('\n', o->f);
}

void out_text_header(struct srfd_out *o, const char *const *keys,
		     const int *widths)
{
	int i;

	if (o->json)
		return;
	for (i = 0; keys[i]; i++)
		fprintf(o->f, "%-*s ", widths[i], keys[i]);
	fputc('\n', o->f);
}
