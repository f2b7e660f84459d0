#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""deploy/kubernetes/kwhy-daemonset.yaml against deploy/container-args.txt.

  check_k8s.py CONTAINER-ARGS DAEMONSET.yaml

The YAML parses (python3-yaml); the DaemonSet asks for exactly the
capabilities, host pid namespace, seccomp and AppArmor profiles, read-only
mounts and kwhy arguments of the container run (lines "docker: " are the
Docker test's own, "k8s: " the DaemonSet's own), nothing more; it has
resource requests and limits, and its scrape annotations name the port
--metrics serves.  Prints ok/not ok lines; exit 1 when one failed.
"""
import sys
import yaml

fails = 0


def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        fails += 1


def read_args(path):
    opts, args, after = [], [], False
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if not line or line.startswith('#') or line.startswith('docker:'):
            continue
        if line.startswith('k8s:'):
            line = line[4:].strip()
        if line == '--':
            after = True
        elif after:
            args.append(line)
        else:
            opts.append(line)
    return opts, args


def main(args_path, yaml_path):
    docs = [d for d in yaml.safe_load_all(open(yaml_path, encoding='utf-8')) if d]
    check(len(docs) >= 1, f"{yaml_path} parses as YAML ({len(docs)} documents)")
    ds = [d for d in docs if d.get('kind') == 'DaemonSet']
    check(len(ds) == 1, "it holds one DaemonSet")
    if not ds:
        return
    spec = ds[0]['spec']['template']['spec']
    ann = ds[0]['spec']['template']['metadata'].get('annotations', {})
    ctr = spec['containers'][0]
    sc = ctr.get('securityContext', {})
    opts, kargs = read_args(args_path)

    want_caps = sorted(o.split('=', 1)[1] for o in opts if o.startswith('--cap-add='))
    have_caps = sorted(sc.get('capabilities', {}).get('add', []))
    check(want_caps == have_caps, f"capabilities {have_caps} are the container run's {want_caps}")
    check(sc.get('capabilities', {}).get('drop') == ['ALL'], "every other capability is dropped")
    check(not sc.get('privileged', False), "not privileged")
    check(spec.get('hostPID') is True and '--pid=host' in opts, "hostPID, as --pid=host")
    for prof, key in (('seccomp', 'seccompProfile'), ('apparmor', 'appArmorProfile')):
        want = f'--security-opt={prof}=unconfined' in opts
        have = sc.get(key, {}).get('type') == 'Unconfined'
        check(want == have, f"{key} Unconfined as the container run's {prof}=unconfined")
    vols = {v['name']: v.get('hostPath', {}).get('path') for v in spec.get('volumes', [])}
    mounts = sorted((vols.get(m['name']), m['mountPath'], bool(m.get('readOnly')))
                    for m in ctr.get('volumeMounts', []))
    want_mounts = []
    for o in opts:
        if o.startswith('--volume='):
            parts = o.split('=', 1)[1].split(':')
            want_mounts.append((parts[0], parts[1], len(parts) > 2 and parts[2] == 'ro'))
    want_mounts.sort()
    check(mounts == want_mounts, f"mounts {mounts} are the container run's {want_mounts}")
    check(all(ro for _, _, ro in mounts), "every mount is read-only")
    other = [o for o in opts if not o.startswith(('--cap-add=', '--volume=', '--security-opt=',
                                                  '--pid='))]
    check(not other, f"no container-run option the check does not map ({other})")
    check(ctr.get('args') == kargs, f"kwhy's arguments {ctr.get('args')} are {kargs}")
    res = ctr.get('resources', {})
    check(all(res.get(k, {}).get(r) for k in ('requests', 'limits') for r in ('cpu', 'memory')),
          f"cpu and memory requests and limits ({res})")
    metrics = [a for a in kargs if a.startswith('--metrics=')]
    port = metrics[0].rsplit(':', 1)[-1] if metrics else None
    ports = [str(p['containerPort']) for p in ctr.get('ports', [])]
    check(ann.get('prometheus.io/scrape') == 'true' and ann.get('prometheus.io/port') == port
          and port in ports,
          f"scrape annotations name the metrics port {port} (ports {ports}, annotations {ann})")


if __name__ == '__main__':
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
    sys.exit(1 if fails else 0)
