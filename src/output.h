/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * srfdctl output: every field goes through one helper that writes either a
 * text column or a JSON member, so the two formats cannot drift apart.
 */
#ifndef SRFD_OUTPUT_H
#define SRFD_OUTPUT_H

#include <stdio.h>
#include <linux/types.h>

struct srfd_out {
	FILE *f;
	int json;
	int pretty;
	int depth;
	int need_comma;
};

void out_init(struct srfd_out *o, FILE *f, int json, int pretty);
void out_array_open(struct srfd_out *o);
void out_array_close(struct srfd_out *o);
void out_object_open(struct srfd_out *o);
void out_object_close(struct srfd_out *o);
/* @width: text column width (0 = "key value" form); ignored for JSON */
void out_str(struct srfd_out *o, const char *key, int width, const char *v);
void out_u64(struct srfd_out *o, const char *key, int width, __u64 v);
/* A number with @decimals digits after the point. */
void out_f64(struct srfd_out *o, const char *key, int width, double v,
	     int decimals);
/* A list of strings: JSON array, or "key a,b,c" in text. */
void out_str_list(struct srfd_out *o, const char *key,
		  const char *const *v, unsigned int n);
/* End of a record: newline in text, nothing in JSON arrays. */
void out_record_end(struct srfd_out *o);
/* Text only: a header row naming the columns. */
void out_text_header(struct srfd_out *o, const char *const *keys,
		     const int *widths);

#endif
