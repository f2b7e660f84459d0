// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* An exit status in words: see exit_status.h. */
#include "core/exit_status.h"
#include "core/names.h"

void kw_exit_status_text(struct kw_buf *b, uint32_t wait_status, enum kw_exit_wording w)
{
	static const char *const exited[] = {
		[KW_EXIT_EVENT] = "exited with code ",
		[KW_EXIT_SENTENCE] = "exited with code ",
		[KW_EXIT_SHORT] = "code ",
	};
	static const char *const killed[] = {
		[KW_EXIT_EVENT] = "killed by ",
		[KW_EXIT_SENTENCE] = "was killed by ",
		[KW_EXIT_SHORT] = "",
	};
	struct kw_exit_status st = kw_exit_status(wait_status);
	const char *sig = kw_signal_name(st.sig);

	if (!st.signaled) {
		kw_buf_puts(b, exited[w]);
		kw_buf_u64(b, st.code);
		return;
	}
	kw_buf_puts(b, killed[w]);
	if (sig) {
		kw_buf_puts(b, sig);
		/* only the event line says it: the sentences are about why */
		if (w == KW_EXIT_EVENT && st.core_dumped)
			kw_buf_puts(b, " (core dumped)");
	} else if (w == KW_EXIT_EVENT) {
		kw_buf_printf(b, "signal %u", st.sig);
	} else {
		kw_buf_puts(b, w == KW_EXIT_SENTENCE ? "a signal" : "signal");
	}
}
