// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: the configuration parser (srfd_config_load_string).
 *
 * Any input must end in one of two ways: refused with a message that names
 * the input ("fuzz:LINE: problem" or "fuzz: problem"), or accepted as a
 * configuration that everything downstream can use as it is (every range the
 * data path relies on holds, and the map records build). Parsing is also
 * deterministic: the same text gives the same result twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "session.h"

#define NAME "fuzz"

static struct srfd_config conf, again;
static char err[8192], err2[8192];

static int printable(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++)
		if ((unsigned char)s[i] < ' ' || (unsigned char)s[i] >= 0x7f)
			return 0;
	return i < max;	/* NUL-terminated within its field */
}

static void check_accepted(const struct srfd_config *c)
{
	__u16 slot[SRFD_MAX_SESSIONS];
	struct srfd_session_cfg scfg;
	struct srfd_prefix_cfg pcfg;
	__u64 key[2] = { 1, 2 };
	unsigned int i, l, g, min_interval = SRFD_MAX_INTERVAL_US;

	if (c->nsessions > SRFD_MAX_SESSIONS || c->nprefixes > SRFD_MAX_PREFIXES ||
	    c->nreflectors > SRFD_MAX_REFLECTORS ||
	    c->nsessions + c->nreflectors == 0 ||
	    !printable(c->instance, sizeof(c->instance)) || !c->instance[0])
		abort();
	for (i = 0; i < c->nsessions; i++) {
		const struct srfd_session_conf *s = &c->sessions[i];

		if (!s->name[0] || !printable(s->name, sizeof(s->name)) ||
		    !s->ifname[0] || !printable(s->ifname, sizeof(s->ifname)) ||
		    s->nsegs < 1 || s->nsegs > SRFD_MAX_PATH_SEGS ||
		    s->interval_us < SRFD_MIN_INTERVAL_US ||
		    s->interval_us > SRFD_MAX_INTERVAL_US ||
		    s->multiplier < 1 || s->multiplier > SRFD_MAX_MULTIPLIER ||
		    s->up_after < 1 || s->up_after > SRFD_MAX_UP_AFTER)
			abort();
		if (s->interval_us < min_interval)
			min_interval = s->interval_us;
		if (srfd_session_cfg_build(c, i, i, 1, key, &scfg) ||
		    scfg.nsegs != s->nsegs + 2)
			abort();
		slot[i] = i;
	}
	if (c->nsessions && (c->tick_us < SRFD_MIN_INTERVAL_US || c->tick_us > min_interval))
		abort();
	if (c->stall_limit_ms < SRFD_MIN_STALL_LIMIT_MS ||
	    c->stall_limit_ms > SRFD_MAX_STALL_LIMIT_MS)
		abort();
	for (i = 0; i < c->nprefixes; i++) {
		const struct srfd_prefix_conf *p = &c->prefixes[i];

		if (p->plen < 1 || p->plen > 128 || p->nguards < 1 ||
		    p->nguards > SRFD_MAX_GUARDS)
			abort();
		for (l = 0; l < 2; l++)
			if (p->nsegs[l] < 1 || p->nsegs[l] > SRFD_MAX_ENCAP_SEGS)
				abort();
		for (g = 0; g < p->nguards; g++)
			if (p->guards[g] >= c->nsessions)
				abort();
		if (srfd_prefix_cfg_build(c, i, slot, &pcfg) ||
		    pcfg.nguards != p->nguards)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	int ret, ret2;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	memset(err, 0, sizeof(err));
	ret = srfd_config_load_string(text, NAME, &conf, err, sizeof(err));
	if (ret > 0)
		abort();
	if (ret == 0) {
		check_accepted(&conf);
	} else {
		/* refused: a message, naming the input (or an included file) */
		if (!err[0] || !memchr(err, '\0', sizeof(err)))
			abort();
		if (strncmp(err, NAME, strlen(NAME)) && !strstr(err, "@include"))
			abort();
	}

	memset(err2, 0, sizeof(err2));
	ret2 = srfd_config_load_string(text, NAME, &again, err2, sizeof(err2));
	if (ret2 != ret || strcmp(err, err2) ||
	    (!ret && memcmp(&conf, &again, sizeof(conf))))
		abort();
	free(text);
	return 0;
}
