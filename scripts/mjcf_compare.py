#!/usr/bin/python3
"""mjcf_compare.py - do two MJCF files compile to the same mjModel?

Compiles a reference file and our file with the installed libmujoco (through
scripts/mjctypes.py) and compares every field of the two compiled mjModels bytewise:
every int size (MJMODEL_INTS), every mjOption field (MJOPTION_FLOATS, MJOPTION_INTS,
MJOPTION_VECTORS), every member of mjVisual and mjStatistic, and every array of
MJMODEL_POINTERS. It checks first that those lists cover every member of the structs
as parsed from the installed headers, so nothing is skipped silently. For each model
it prints "identical (N fields)" or the differing fields, each with its size, the
number of differing elements, the max abs difference and the first difference.

  scripts/mjcf_compare.py --reference-dir REF --ours-dir OURS [--write-data DIR] F.xml...
  scripts/mjcf_compare.py REF.xml OURS.xml [--write-data DIR]

Exit status 0 if every model is identical, 1 if some differ, 2 if one fails to compile.

With --write-data DIR the fingerprint of each reference model is written to
DIR/mjcf_<name>.txt (name: the file name without .xml) in the format of tests/data
(golden_load in tests/testutil.h): '#' comment lines, then blocks "name count"
followed by count numbers. One block per field, named and valued mechanically so that
a C loop over the same X-macros of mjxmacro.h produces the same names and numbers:

  MJMODEL_INTS      X(name)              "name 1"           m->name
  MJOPTION_INTS     X(type, name)        "opt.name 1"       m->opt.name
  MJOPTION_FLOATS   X(type, name)        "opt.name 2"       nbytes crc of m->opt.name
  MJOPTION_VECTORS  X(name, n)           "opt.name 2"       nbytes crc of m->opt.name
  mjVisual          vis.<group>.<member> (every member of every group in header
                                         order; mjxmacro.h 2.2.2 has no X-macro for
                                         mjVisual): an int member "1" and its value,
                                         anything else "2" nbytes crc
  mjStatistic       stat.<member>        "2" nbytes crc (all mjtNum)
  MJMODEL_POINTERS  X(type, name, nr, nc) "name 2"          nbytes crc of m->name,
                                         nbytes = sizeof(type) * m->nr * nc, where nc's
                                         MJ_M(x) means m->x

nbytes is the member's or array's size in bytes and crc is zlib.crc32 (CRC-32 of
zlib/PNG: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF) of
exactly those bytes; crc of 0 bytes is 0. Every member is hashed on its own, so
struct padding never enters a crc. A last block "fingerprint.fields 1 N" gives the
number of field blocks before it, so the C side can check that it visited as many.
The header says which script made the file, the MuJoCo version, what the reference
was and whether our file compiled to identical bytes (else which fields differ).

What the compiled bytes depend on, beyond the physics: the model name
(<mujoco model=...>) is the first string of names, followed by every element's name
(unnamed: an empty string) in id order, and name_*adr point into it; the order of
elements of one kind fixes their ids; the sign of a zero survives compilation (a
light dir of "-0 0 -1.3" gives light_dir -0.0, an axisangle may give quaternion
components of -0.0 where the equivalent quat gives +0.0), and so does every last bit
of a number (0.19999999999999996 is not 0.2). Not entering the model: the file name
(also when loaded through the VFS), the order of the top-level sections, the order of
joints, geoms and sites relative to one another inside a body, default classes.
"""
import argparse
import ctypes
import os
import shlex
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mjctypes as mj  # noqa: E402


class Field:
    """One compared field: name, raw bytes, numpy values (for differences), and
    whether it is written as a value (int scalar) or as nbytes + crc."""

    def __init__(self, name, raw, values, scalar_int):
        self.name, self.raw, self.values, self.scalar_int = name, raw, values, scalar_int


def _member_bytes(struct, member):
    """Raw bytes of one member of a ctypes struct (no padding)."""
    off = getattr(type(struct), member).offset
    size = getattr(type(struct), member).size
    return ctypes.string_at(ctypes.addressof(struct) + off, size)


def _ctype_dtype(t):
    while issubclass(t, ctypes.Array):
        t = t._type_
    return np.dtype(t)


def _leaf_members(prefix, struct):
    """(dotted name, holding struct, member, ctype) of every non-struct member of a
    ctypes struct, nested structs unrolled, in declaration order."""
    for name, t in type(struct)._fields_:
        if issubclass(t, ctypes.Structure):
            yield from _leaf_members(prefix + '.' + name, getattr(struct, name))
        else:
            yield prefix + '.' + name, struct, name, t


def _check_coverage():
    """The X-macros must name every member of mjModel and mjOption; fail otherwise."""
    ints = {x[0] for x in mj.XMACRO['MJMODEL_INTS']}
    ptrs = {x[1] for x in mj.XMACRO['MJMODEL_POINTERS']}
    missing = []
    for name, t in mj.mjModel._fields_:
        if name in ('opt', 'vis', 'stat', 'buffer'):
            continue
        if name not in (ints if t is ctypes.c_int else ptrs):
            missing.append('mjModel.' + name)
    opt = {x[1] for x in mj.XMACRO['MJOPTION_FLOATS'] + mj.XMACRO['MJOPTION_INTS']}
    opt |= {x[0] for x in mj.XMACRO['MJOPTION_VECTORS']}
    missing += ['mjOption.' + n for n, _ in mj.mjOption._fields_ if n not in opt]
    if missing:
        sys.exit('mjcf_compare: not covered by the X-macros: ' + ', '.join(missing))


def fields(model):
    """Every field of a compiled Model, in file order."""
    s = model.struct
    out = []
    for (name,) in mj.XMACRO['MJMODEL_INTS']:
        out.append(Field(name, _member_bytes(s, name), np.array([getattr(s, name)]), True))
    o = s.opt
    for macro in ('MJOPTION_FLOATS', 'MJOPTION_INTS', 'MJOPTION_VECTORS'):
        for item in mj.XMACRO[macro]:
            name = item[0] if macro == 'MJOPTION_VECTORS' else item[1]
            t = dict(mj.mjOption._fields_)[name]
            raw = _member_bytes(o, name)
            out.append(Field('opt.' + name, raw, np.frombuffer(raw, _ctype_dtype(t)),
                             macro == 'MJOPTION_INTS'))
    for top, struct in (('vis', s.vis), ('stat', s.stat)):
        for full, holder, key, t in _leaf_members(top, struct):
            raw = _member_bytes(holder, key)
            out.append(Field(full, raw, np.frombuffer(raw, _ctype_dtype(t)), t is ctypes.c_int))
    for ctype, name, _, _ in mj.XMACRO['MJMODEL_POINTERS']:
        a = getattr(model, name)
        out.append(Field(name, a.tobytes(), a, False))
    return out


def compare(ref, ours):
    """Differences between two field lists: [(name, text)]; empty if identical."""
    diffs = []
    for a, b in zip(ref, ours):
        assert a.name == b.name
        if a.raw == b.raw:
            continue
        if a.values.shape != b.values.shape:
            diffs.append((a.name, 'shape %s vs ours %s' % (a.values.shape, b.values.shape)))
            continue
        va, vb = a.values.reshape(-1), b.values.reshape(-1)
        if va.dtype.kind == 'V':                 # not expected in mjModel; bytes only
            diffs.append((a.name, 'bytes differ'))
            continue
        fa, fb = va.astype(np.float64), vb.astype(np.float64)
        ba = np.ascontiguousarray(va).view(np.uint8).reshape(len(va), -1)
        bb = np.ascontiguousarray(vb).view(np.uint8).reshape(len(vb), -1)
        neq = np.flatnonzero(np.any(ba != bb, axis=1))      # bytewise, so -0.0 != 0.0
        with np.errstate(invalid='ignore'):
            mad = np.max(np.abs(fa[neq] - fb[neq]))
        i = neq[0]
        rc = ''
        if a.values.ndim == 2:
            rc = ' [%d,%d]' % divmod(i, a.values.shape[1])
        diffs.append((a.name, '%d elements differ, max abs diff %.17g; first%s: %r vs ours %r'
                      % (len(neq), mad, rc, va[i].item(), vb[i].item())))
        if a.name == 'names':
            diffs[-1] = (a.name, diffs[-1][1] + '\n      ref:  %r\n      ours: %r'
                         % (a.raw.split(b'\0'), b.raw.split(b'\0')))
    return diffs


def write_data(path, fl, header):
    with open(path, 'w') as f:
        for line in header:
            f.write('# ' + line + '\n')
        for x in fl:
            if x.scalar_int:
                f.write('%s 1\n%d\n' % (x.name, int(x.values[0])))
            else:
                f.write('%s 2\n%d %d\n' % (x.name, len(x.raw), zlib.crc32(x.raw)))
        f.write('fingerprint.fields 1\n%d\n' % len(fl))


def _wrap(items, width=90):
    lines, cur = [], ''
    for it in items:
        if cur and len(cur) + len(it) + 2 > width:
            lines.append(cur + ',')
            cur = it
        else:
            cur = it if not cur else cur + ', ' + it
    return lines + ([cur] if cur else [])


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('files', nargs='+', help='file names (with the dirs), or REF OURS')
    p.add_argument('--reference-dir', help='directory of the reference files')
    p.add_argument('--ours-dir', help='directory of our files')
    p.add_argument('--reference-label', default=None,
                   help='what the reference is, for the data header; {name} is replaced by '
                        'the file name (default: the reference path)')
    p.add_argument('--write-data', metavar='DIR', help='write DIR/mjcf_<name>.txt')
    args = p.parse_args()
    if (args.reference_dir is None) != (args.ours_dir is None):
        p.error('give both --reference-dir and --ours-dir, or neither')
    if args.reference_dir is None:
        if len(args.files) != 2:
            p.error('without the dirs give exactly two files: REF OURS')
        pairs = [(args.files[0], args.files[1])]
    else:
        pairs = [(os.path.join(args.reference_dir, f), os.path.join(args.ours_dir, f))
                 for f in args.files]
    _check_coverage()
    if args.write_data:
        os.makedirs(args.write_data, exist_ok=True)

    status = 0
    version = mj.lib.mj_versionString().decode()
    for ref_path, our_path in pairs:
        ref, err = mj.load_xml(ref_path)
        if ref is None:
            print('%s: reference does not compile: %s' % (ref_path, err.strip()))
            status = 2
            continue
        ours, err = mj.load_xml(our_path)
        if ours is None:
            print('%s: does not compile: %s' % (our_path, err.strip()))
            status = 2
            continue
        fr, fo = fields(ref), fields(ours)
        diffs = compare(fr, fo)
        base = os.path.basename(our_path)
        if diffs:
            status = max(status, 1)
            print('%s: %d of %d fields differ' % (base, len(diffs), len(fr)))
            for name, text in diffs:
                print('  %-28s %s' % (name, text))
        else:
            print('%s: identical (%d fields)' % (base, len(fr)))
        for w, who in ((ref.warning, 'reference'), (ours.warning, 'ours')):
            if w:
                print('  compiler warning (%s): %s' % (who, w.strip()))
        if args.write_data:
            stem = base[:-4] if base.endswith('.xml') else base
            out = os.path.join(args.write_data, 'mjcf_%s.txt' % stem)
            label = (args.reference_label or ref_path).replace('{name}', base)
            header = [
                '%s: fingerprint of the compiled mjModel of %s' % (base, label),
                'written by scripts/mjcf_compare.py with MuJoCo %s (mj_version %d); do not edit.'
                % (version, mj.VERSION),
                'Regenerate: /usr/bin/python3 scripts/mjcf_compare.py --reference-dir REF '
                '--ours-dir %s --write-data %s%s %s'
                % (os.path.dirname(our_path) or '.', args.write_data,
                   '' if args.reference_label is None
                   else ' --reference-label ' + shlex.quote(args.reference_label), base),
                '  (REF: a directory holding the reference file)',
            ]
            if diffs:
                header.append('%s compiled to DIFFERENT bytes in %d of %d fields:'
                              % (our_path, len(diffs), len(fr)))
                header += ['  ' + l for l in _wrap([n for n, _ in diffs])]
            else:
                header.append('%s compiled to identical bytes in all %d fields.'
                              % (our_path, len(fr)))
            header += [
                'Blocks: int sizes, opt.*, vis.*.*, stat.*, MJMODEL_POINTERS arrays;',
                'an int field: "name 1" and its value; any other: "name 2", nbytes and the',
                'zlib crc32 of its bytes (each member on its own, no padding). See the',
                'docstring of scripts/mjcf_compare.py for the naming rule.',
            ]
            write_data(out, fr, header)
            print('  wrote %s' % out)
        ref.free()
        ours.free()
    return status


if __name__ == '__main__':
    sys.exit(main())
