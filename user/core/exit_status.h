/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A wait(2) status (kw_ev_exit.exit_code, kw_ev_listen.closer_exit_code)
 * taken apart once, here, for the model, the explanations and every
 * output: an exit code, or the signal that ended the process. */
#ifndef KWHY_CORE_EXIT_STATUS_H
#define KWHY_CORE_EXIT_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include "util/buf.h"

struct kw_exit_status {
	bool signaled;		/* killed by sig, else exited with code */
	uint8_t code;		/* exit(3) code; 0 when signaled */
	uint8_t sig;		/* 0 when it exited */
	bool core_dumped;
};

/* the same bits as WIFSIGNALED/WEXITSTATUS/WTERMSIG/WCOREDUMP */
static inline struct kw_exit_status kw_exit_status(uint32_t wait_status)
{
	struct kw_exit_status s = {
		.sig = wait_status & 0x7f,
		.core_dumped = (wait_status & 0x80) != 0,
	};

	s.signaled = s.sig != 0;
	if (!s.signaled)
		s.code = (wait_status >> 8) & 0xff;
	return s;
}

/* The words for an exit status: the same facts in three places, each
 * with the wording of its sentence. */
enum kw_exit_wording {
	KW_EXIT_EVENT,		/* "exited with code 3", "killed by SIGSEGV (core
				 * dumped)", "killed by signal 77" */
	KW_EXIT_SENTENCE,	/* "exited with code 3", "was killed by SIGKILL",
				 * "was killed by a signal" */
	KW_EXIT_SHORT,		/* "code 3", "SIGKILL", "signal" */
};

void kw_exit_status_text(struct kw_buf *b, uint32_t wait_status, enum kw_exit_wording w);

#endif
