#!/usr/bin/env python3
"""Compares every numeric #define of runtime/include with the same name in an XNU
source tree's osfmk/mach headers (not part of this repository: pass a local checkout,
or a bare git repository with --git). Prints mismatches; exit status 1 if any.

    tests/rt-headers/compare-xnu-constants.py XNU_SRC
    tests/rt-headers/compare-xnu-constants.py --git XNU.git
"""
import glob
import os
import re
import subprocess
import sys

DEFINE = re.compile(r'^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.*?)\s*(/\*.*)?$')
CAST = re.compile(r'\(\s*\(?\s*(mach_\w+|natural_t|vm_prot_t|unsigned|int)\s*\)?\s*')


def numeric(text):
    """The integer a simple macro body denotes, or None for anything else."""
    text = re.sub(r'//.*', '', text).strip()
    text = CAST.sub('(', text).strip('() ')
    text = re.sub(r'[uUlL]+$', '', text)
    try:
        return int(text, 0)
    except ValueError:
        return None


def defines(lines):
    for line in lines:
        m = DEFINE.match(line)
        if m:
            value = numeric(m.group(2))
            if value is not None:
                yield m.group(1), value


def xnu_headers(args):
    if args[0] == '--git':
        repo = args[1]
        names = subprocess.run(['git', '-C', repo, 'ls-tree', '-r', '--name-only', 'HEAD',
                                'osfmk/mach'], capture_output=True, text=True,
                               check=True).stdout.split()
        for name in names:
            if name.endswith('.h'):
                yield subprocess.run(['git', '-C', repo, 'show', 'HEAD:' + name],
                                     capture_output=True, text=True, check=True).stdout
    else:
        for path in glob.glob(os.path.join(args[0], 'osfmk', 'mach', '**', '*.h'),
                              recursive=True):
            with open(path, errors='replace') as f:
                yield f.read()


def main(args):
    if not args or (args[0] == '--git' and len(args) < 2):
        sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    include = os.path.join(here, '..', '..', 'runtime', 'include')
    ours = {}
    for path in glob.glob(os.path.join(include, '**', '*.h'), recursive=True):
        with open(path) as f:
            for name, value in defines(f):
                ours[name] = (value, os.path.relpath(path, include))
    theirs = {}
    for text in xnu_headers(args):
        for name, value in defines(text.split('\n')):
            theirs.setdefault(name, set()).add(value)
    compared = mismatches = 0
    for name, (value, where) in sorted(ours.items()):
        if name not in theirs:
            continue
        compared += 1
        if value not in theirs[name]:
            mismatches += 1
            print(f'{where}: {name} = {value:#x}, XNU has '
                  + ', '.join(f'{v:#x}' for v in sorted(theirs[name])))
    print(f'{compared} constants compared, {mismatches} mismatches '
          f'({len(ours) - compared} of ours have no XNU counterpart)')
    return 1 if mismatches else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
