// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * emptyprog: load bench/empty.bpf.o and attach every program in it; print
 * "ready" once attached, then hold the links until stdin closes (or 600 s
 * pass), so kwbench reads the programs' run times from this process's
 * fdinfo like kwhy's.
 *
 *   emptyprog OBJECT.bpf.o
 */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	char buf[64];
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: emptyprog OBJECT.bpf.o\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "emptyprog: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__attach(prog)) {
			fprintf(stderr, "emptyprog: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
		n++;
	}
	printf("ready %d\n", n);
	fflush(stdout);
	alarm(600);	/* bounded if the driver never closes our stdin */
	while (read(0, buf, sizeof(buf)) > 0)
		;
	bpf_object__close(obj);
	return 0;
}
