/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The CO-RE target that kwhy hands libbpf (btf_custom_path): the running
 * kernel's types that the BPF object can ask about, copied out of the
 * kernel BTF kwhy parsed for its feature probe.
 *
 * Why: libbpf 1.1 finds a relocated type's candidates by reading every
 * type of its target BTF once per local type (bpf_core_add_cands).  With
 * the whole kernel BTF that is ~36 passes over ~150,000 types, about 40 ms
 * of kwhy's start-up; over a few thousand types it is well under 1 ms.
 * The relocations come out the same: every kernel type whose essential
 * name (without a ___flavour suffix) is the name of a type in the object
 * is copied whole, with what it contains by value; a pointer inside a
 * struct, union or array is copied as a pointer to void, since CO-RE never
 * looks behind one (a field access through a pointer is a relocation of
 * its own, whose root is the pointed-to type).  Nothing else is kept, so
 * the object must not use bpf_core_type_matches (which compares pointees)
 * nor bpf_core_type_id_kernel (the ids are this BTF's): bpf/kwhy.bpf.h
 * turns either into a build error.
 *
 * libbpf still parses the kernel's BTF itself for the tp_btf attach
 * targets: only the candidate search is cut.  Types that live in kernel
 * modules are not searched once a custom target is given; kwhy's are all
 * in vmlinux (sockets, tasks, cgroups, namespaces, mm).
 */
#ifndef KWHY_COREBTF_H
#define KWHY_COREBTF_H

#include <bpf/btf.h>

/* A new BTF with the types of vmlinux that local's named types can be
 * relocated against, or NULL with errno set. */
struct btf *kw_core_btf_cut(const struct btf *vmlinux, const struct btf *local);

#endif
