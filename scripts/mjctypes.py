"""mjctypes - ctypes access to the installed MuJoCo C library (Debian 12: libmujoco 2.2.2)
for mpirl's reference scripts. Needs only Debian's python3 and python3-numpy.

The layouts are not copied by hand: at import the module reads the installed headers
(mjtnum.h, mjmodel.h, mjdata.h, mjxmacro.h, mujoco.h; directory $MPIRL_MUJOCO_INCLUDE,
default /usr/include/mujoco), builds ctypes Structures from the struct definitions and
takes the array shapes from the X-macros. It then checks the result against the
library (see _selfcheck below) and raises ImportError if anything disagrees, so a
script never reads a model through a wrong layout. The library is $MPIRL_LIBMUJOCO,
else libmujoco.so.2.2.2, else whatever ctypes.util.find_library('mujoco') finds.

API (everything else is internal):

  lib                      the ctypes.CDLL; argtypes/restype are set for the functions
                           wrapped here, so the raw C calls work too
  VERSION                  mj_version(), e.g. 222
  mjModel, mjData, mjOption, mjVisual, mjStatistic, mjContact, mjWarningStat,
  mjTimerStat, mjSolverStat, mjVFS, mjLROpt
                           ctypes.Structure classes; anonymous nested structs become
                           classes named <outer>_<member> (mjVisual_global, ...).
                           'global' is a Python keyword: getattr(m.vis, 'global').
  CONST                    numeric #defines and enum values of the headers (mjNREF,
                           mjOBJ_BODY, mjNTIMER, ...); each is also a module attribute
  XMACRO                   {macro name: [tuple of the X(...) arguments as strings]},
                           nested macros expanded, e.g. XMACRO['MJMODEL_INTS'] =
                           [('nq',), ('nv',), ...], XMACRO['MJMODEL_POINTERS'] =
                           [('mjtNum', 'qpos0', 'nq', '1'), ...]
  DTYPE                    {C element type of the X-macros: numpy dtype}

  load_xml(path)           -> (Model, None) or (None, error text)
  load_xml_bytes(xml, filename='model.xml', files=None)
                           same, from bytes (or str) through the virtual file system;
                           files: optional {name: bytes} of further files (includes)
  Model                    owns an mjModel*; .ptr (POINTER(mjModel)), .struct (the
                           mjModel), .warning (compiler warning text or '');
                           attribute access: int sizes (m.nq), structs (m.opt,
                           m.vis, m.stat) and every MJMODEL_POINTERS array as a numpy
                           view of shape (rows, cols), writable, sharing memory
                           (m.body_mass[1, 0] = 2.0 changes the model);
                           m.shape(name), m.nbytes(name), m.name2id(objtype, name),
                           m.id2name(objtype, id), m.free()
  Data(model)              owns an mjData* (mj_makeData); .ptr, .struct; attribute
                           access: scalars (d.time, d.ncon), d.warning etc. as ctypes
                           arrays, every MJDATA_POINTERS array as a numpy view
                           (d.qpos shape (nq, 1); d.contact a structured array);
                           d.reset(), d.forward(), d.step(n=1),
                           d.rne_post_constraint(), d.free()
  pointer_shape(macro, name, model)
                           (rows, cols) of an X-macro array for a model
  name2id(model, objtype, name), id2name(model, objtype, id)

A view stays valid while its Model/Data object lives (the view keeps it alive);
calling .free() explicitly while views exist leaves them dangling. Model and Data
free themselves when garbage-collected. A Data must not outlive its Model; it holds a
reference to it, so it does not unless you call model.free() yourself.

Example:
    import mjctypes as mj
    m, err = mj.load_xml('envs/mujoco/models/hopper.xml')
    if m is None: raise SystemExit(err)
    d = mj.Data(m)
    d.qpos[:, 0] += 0.01; d.forward(); d.step(4)
    torso = m.name2id(mj.mjOBJ_BODY, 'torso'); print(d.xpos[torso])
"""
import ctypes
import ctypes.util
import os
import re

import numpy as np

_INCLUDE = os.environ.get('MPIRL_MUJOCO_INCLUDE', '/usr/include/mujoco')


# ------------------------------------------------------------------ header reading

def _read(name):
    with open(os.path.join(_INCLUDE, name), encoding='utf-8') as f:
        return f.read()


def _strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', '', text)


def _logical_lines(text):
    """Preprocessor view: comments removed, backslash continuations joined."""
    return _strip_comments(text).replace('\\\n', ' ').split('\n')


_NUM = re.compile(r'^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)$')


def _number(s):
    s = s.strip()
    if not _NUM.match(s):
        return None
    if s.lower().startswith(('0x', '+0x', '-0x')):
        return int(s, 16)
    try:
        return int(s)
    except ValueError:
        return float(s)


_TEXTS = {h: _read(h) for h in ('mjtnum.h', 'mjmodel.h', 'mjdata.h', 'mjxmacro.h', 'mujoco.h')}

CONST = {}
_MACRO_BODIES = {}
_USEDOUBLE = False
for _h in ('mjtnum.h', 'mjmodel.h', 'mjdata.h', 'mjxmacro.h', 'mujoco.h'):
    for _line in _logical_lines(_TEXTS[_h]):
        _m = re.match(r'\s*#\s*define\s+(\w+)(\s+(.*))?$', _line)
        if not _m:
            continue
        _name, _body = _m.group(1), (_m.group(3) or '').strip()
        if _name == 'mjUSEDOUBLE':
            _USEDOUBLE = True
        _v = _number(_body)
        if _v is not None and _name not in CONST:   # first definition: the mjUSEDOUBLE branch
            CONST[_name] = _v
        elif 'X(' in _body.replace(' ', '') or re.fullmatch(r'[\w\s]+', _body or '-'):
            _MACRO_BODIES[_name] = _body


def _parse_enums(text):
    for body in re.findall(r'typedef\s+enum\s+\w*\s*\{(.*?)\}', _strip_comments(text), re.S):
        value = -1
        for item in body.split(','):
            item = item.strip()
            if not item:
                continue
            if '=' in item:
                name, expr = (s.strip() for s in item.split('='))
                value = _eval_dim(expr, {})
            else:
                name, value = item, value + 1
            CONST[name] = value


def _eval_dim(expr, names):
    """Value of a dimension expression such as 12, mjNREF, MJ_M(nuser_body),
    MJ_M(nmocap)*3 or 1<<3; identifiers from names (model sizes), then CONST."""
    expr = re.sub(r'MJ_M\s*\(\s*(\w+)\s*\)', r'\1', expr.strip())
    if not re.fullmatch(r'[\w\s*+\-()<>|]+', expr):
        raise ValueError('cannot evaluate dimension %r' % expr)
    env = dict(CONST)
    env.update(names)
    return int(eval(expr, {'__builtins__': {}}, env))


for _h in ('mjmodel.h', 'mjdata.h'):
    _parse_enums(_TEXTS[_h])


def _xmacro_items(name, seen=()):
    body = _MACRO_BODIES[name]
    out = []
    for tok in re.finditer(r'X\s*\(((?:[^()]|\([^()]*\))*)\)|(\w+)', body):
        if tok.group(1) is not None:
            out.append(tuple(a.strip() for a in tok.group(1).split(',')))
        elif tok.group(2) in _MACRO_BODIES and tok.group(2) not in seen:
            out.extend(_xmacro_items(tok.group(2), seen + (name,)))
    return out


XMACRO = {}
for _name, _body in _MACRO_BODIES.items():
    if _name.startswith('MJ') and _name.isupper():
        _items = _xmacro_items(_name)
        if _items:
            XMACRO[_name] = _items
for _need in ('MJMODEL_INTS', 'MJMODEL_POINTERS', 'MJOPTION_FLOATS', 'MJOPTION_INTS',
              'MJOPTION_VECTORS', 'MJDATA_POINTERS', 'MJDATA_SCALAR', 'MJDATA_VECTOR'):
    if _need not in XMACRO:
        raise ImportError('mjctypes: X-macro %s not found in %s/mjxmacro.h' % (_need, _INCLUDE))


# ------------------------------------------------------------------ struct building

_mjtNum = ctypes.c_double if _USEDOUBLE else ctypes.c_float
_BASE = {
    'mjtNum': _mjtNum, 'int': ctypes.c_int, 'float': ctypes.c_float,
    'double': ctypes.c_double, 'char': ctypes.c_char, 'unsigned char': ctypes.c_ubyte,
    'unsigned int': ctypes.c_uint, 'size_t': ctypes.c_size_t,
}
_ENUM_TYPES = set()
_STRUCTS = {}          # tag and typedef name -> class


def _tokens(text):
    return re.findall(r'[A-Za-z_]\w*|\d+|[{}\[\];*,()]|\S', text)


def _resolve_type(words):
    words = [w for w in words if w not in ('const', 'volatile')]
    if words and words[0] == 'struct':
        words = words[1:]
    key = ' '.join(words)
    if key in _BASE:
        return _BASE[key]
    if key in _STRUCTS:
        return _STRUCTS[key]
    if key in _ENUM_TYPES:
        return ctypes.c_int
    if key == 'void':
        return None
    raise ValueError('unknown type %r' % key)


def _struct_members(toks, i, owner):
    """Parse members from toks[i] (just after '{') to the matching '}'; returns
    (fields, index after '}')."""
    fields = []
    while toks[i] != '}':
        if toks[i] == 'struct' and toks[i + 1] == '{':
            sub, i = _struct_members(toks, i + 2, None)
            name = toks[i]
            cls = type('%s_%s' % (owner, name), (ctypes.Structure,), {'_fields_': sub})
            fields.append((name, cls))
            assert toks[i + 1] == ';', toks[i:i + 3]
            i += 2
            continue
        j = i
        while toks[j] != ';':
            j += 1
        decl = toks[i:j]
        i = j + 1
        if '(' in decl:
            raise ValueError('function pointer member in %s: %s' % (owner, ' '.join(decl)))
        k = decl.index('[') if '[' in decl else len(decl)
        name = decl[k - 1]
        head = decl[:k - 1]
        npointer = head.count('*')
        base = _resolve_type([w for w in head if w != '*'])
        dims = []
        while k < len(decl):
            e = decl.index(']', k)
            dims.append(_eval_dim(' '.join(decl[k + 1:e]), {}))
            k = e + 1
        if npointer:
            t = ctypes.c_void_p if base is None else ctypes.POINTER(base)
            for _ in range(npointer - 1):
                t = ctypes.POINTER(t)
        else:
            t = base
        for d in reversed(dims):
            t = t * d
        fields.append((name, t))
    return fields, i + 1


def _parse_structs(text):
    toks = _tokens(_strip_comments('\n'.join(
        l for l in _logical_lines(text) if not l.lstrip().startswith('#'))))
    i = 0
    while i < len(toks):
        if toks[i] == 'typedef' and toks[i + 1] == 'enum':
            e = toks.index('}', i)
            _ENUM_TYPES.add(toks[e + 1])
            if toks[i + 2] != '{':
                _ENUM_TYPES.add(toks[i + 2])
            i = e + 2
        elif toks[i] == 'typedef' and toks[i + 1] == 'struct' and toks[i + 3] != '{':
            _STRUCTS[toks[i + 3]] = _STRUCTS[toks[i + 2]]
            i += 4
        elif toks[i] == 'typedef' and toks[i + 1] not in ('struct', 'enum') and '(' not in \
                toks[i:toks.index(';', i)]:
            e = toks.index(';', i)
            _BASE[toks[e - 1]] = _resolve_type(toks[i + 1:e - 1])
            i = e + 1
        elif toks[i] == 'struct' and toks[i + 2] == '{':
            tag = toks[i + 1]
            cls = type(tag.rstrip('_'), (ctypes.Structure,), {})
            _STRUCTS[tag] = cls
            fields, i = _struct_members(toks, i + 3, tag.rstrip('_'))
            cls._fields_ = fields
        else:
            i += 1


_parse_structs(_TEXTS['mjmodel.h'])
_parse_structs(_TEXTS['mjdata.h'])

mjModel = _STRUCTS['mjModel']
mjData = _STRUCTS['mjData']
mjOption = _STRUCTS['mjOption']
mjVisual = _STRUCTS['mjVisual']
mjStatistic = _STRUCTS['mjStatistic']
mjContact = _STRUCTS['mjContact']
mjWarningStat = _STRUCTS['mjWarningStat']
mjTimerStat = _STRUCTS['mjTimerStat']
mjSolverStat = _STRUCTS['mjSolverStat']
mjVFS = _STRUCTS['mjVFS']
mjLROpt = _STRUCTS['mjLROpt']

globals().update({k: v for k, v in CONST.items() if k.startswith('mj')})

DTYPE = {
    'mjtNum': np.dtype(np.float64 if _USEDOUBLE else np.float32),
    'int': np.dtype(np.int32), 'float': np.dtype(np.float32),
    'mjtByte': np.dtype(np.uint8), 'char': np.dtype(np.uint8),
    'mjContact': np.dtype(mjContact),
}


# ------------------------------------------------------------------ the library

def _load_library():
    names = [os.environ.get('MPIRL_LIBMUJOCO'), 'libmujoco.so.2.2.2',
             ctypes.util.find_library('mujoco')]
    errors = []
    for n in names:
        if not n:
            continue
        try:
            return ctypes.CDLL(n)
        except OSError as e:
            errors.append(str(e))
    raise ImportError('mjctypes: cannot load libmujoco: ' + '; '.join(errors))


lib = _load_library()
_PM, _PD = ctypes.POINTER(mjModel), ctypes.POINTER(mjData)
_SIGS = {
    'mj_version': (ctypes.c_int, []),
    'mj_versionString': (ctypes.c_char_p, []),
    'mj_defaultVFS': (None, [ctypes.c_void_p]),
    'mj_makeEmptyFileVFS': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]),
    'mj_findFileVFS': (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    'mj_deleteVFS': (None, [ctypes.c_void_p]),
    'mj_loadXML': (_PM, [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]),
    'mj_deleteModel': (None, [_PM]),
    'mj_sizeModel': (ctypes.c_int, [_PM]),
    'mj_makeData': (_PD, [_PM]),
    'mj_deleteData': (None, [_PD]),
    'mj_resetData': (None, [_PM, _PD]),
    'mj_forward': (None, [_PM, _PD]),
    'mj_step': (None, [_PM, _PD]),
    'mj_rnePostConstraint': (None, [_PM, _PD]),
    'mj_name2id': (ctypes.c_int, [_PM, ctypes.c_int, ctypes.c_char_p]),
    'mj_id2name': (ctypes.c_char_p, [_PM, ctypes.c_int, ctypes.c_int]),
    'mj_defaultOption': (None, [ctypes.c_void_p]),
    'mj_defaultVisual': (None, [ctypes.c_void_p]),
}
for _fn, (_res, _args) in _SIGS.items():
    getattr(lib, _fn).restype = _res
    getattr(lib, _fn).argtypes = _args

VERSION = lib.mj_version()


# ------------------------------------------------------------------ views

def _sizes(model_struct):
    return {n[0]: getattr(model_struct, n[0]) for n in XMACRO['MJMODEL_INTS']}


_MODEL_PTR = {it[1]: it for it in XMACRO['MJMODEL_POINTERS']}
_DATA_PTR = {it[1]: it for it in XMACRO['MJDATA_POINTERS']}


def pointer_shape(macro, name, model):
    """(rows, cols) of array name of X-macro macro ('MJMODEL_POINTERS' or
    'MJDATA_POINTERS') for model (a Model or an mjModel)."""
    item = {it[1]: it for it in XMACRO[macro]}[name]
    sizes = _sizes(model.struct if isinstance(model, Model) else model)
    return _eval_dim(item[2], sizes), _eval_dim(item[3], sizes)


def _view(owner, struct, item, sizes):
    ctype, name, rows, cols = item
    shape = (_eval_dim(rows, sizes), _eval_dim(cols, sizes))
    dtype = DTYPE[ctype]
    count = shape[0] * shape[1]
    addr = ctypes.cast(getattr(struct, name), ctypes.c_void_p).value
    if count == 0 or not addr:
        return np.zeros(shape, dtype)
    raw = (ctypes.c_ubyte * (count * dtype.itemsize)).from_address(addr)
    raw._owner = owner                 # keeps the Model / Data alive while viewed
    return np.frombuffer(raw, dtype).reshape(shape)


class Model:
    """An mjModel* owned by Python; see the module docstring."""

    def __init__(self, ptr, warning=''):
        self.ptr = ptr
        self.warning = warning

    @property
    def struct(self):
        if not self.ptr:
            raise ValueError('model was freed')
        return self.ptr.contents

    def __getattr__(self, name):
        if name in ('ptr', 'warning'):
            raise AttributeError(name)
        s = self.struct
        if name in _MODEL_PTR:
            return _view(self, s, _MODEL_PTR[name], _sizes(s))
        return getattr(s, name)

    def shape(self, name):
        return pointer_shape('MJMODEL_POINTERS', name, self.struct)

    def nbytes(self, name):
        r, c = self.shape(name)
        return r * c * DTYPE[_MODEL_PTR[name][0]].itemsize

    def name2id(self, objtype, name):
        return lib.mj_name2id(self.ptr, objtype, name.encode())

    def id2name(self, objtype, i):
        s = lib.mj_id2name(self.ptr, objtype, i)
        return None if s is None else s.decode()

    def free(self):
        if self.ptr:
            lib.mj_deleteModel(self.ptr)
            self.ptr = _PM()

    def __del__(self):
        try:
            self.free()
        except Exception:
            pass


class Data:
    """An mjData* for a Model, made by mj_makeData; see the module docstring."""

    def __init__(self, model):
        self.model = model
        self.ptr = lib.mj_makeData(model.ptr)
        if not self.ptr:
            raise MemoryError('mj_makeData failed')

    @property
    def struct(self):
        if not self.ptr:
            raise ValueError('data was freed')
        return self.ptr.contents

    def __getattr__(self, name):
        if name in ('ptr', 'model'):
            raise AttributeError(name)
        s = self.struct
        if name in _DATA_PTR:
            return _view(self, s, _DATA_PTR[name], _sizes(self.model.struct))
        return getattr(s, name)

    def reset(self):
        lib.mj_resetData(self.model.ptr, self.ptr)

    def forward(self):
        lib.mj_forward(self.model.ptr, self.ptr)

    def step(self, n=1):
        for _ in range(n):
            lib.mj_step(self.model.ptr, self.ptr)

    def rne_post_constraint(self):
        lib.mj_rnePostConstraint(self.model.ptr, self.ptr)

    def free(self):
        if self.ptr:
            lib.mj_deleteData(self.ptr)
            self.ptr = _PD()

    def __del__(self):
        try:
            self.free()
        except Exception:
            pass


def name2id(model, objtype, name):
    return model.name2id(objtype, name)


def id2name(model, objtype, i):
    return model.id2name(objtype, i)


# ------------------------------------------------------------------ loading

_ERRSZ = 1000


def _load(filename, vfs):
    err = ctypes.create_string_buffer(_ERRSZ)
    ptr = lib.mj_loadXML(filename, vfs, err, _ERRSZ)
    text = err.value.decode(errors='replace')
    if not ptr:
        return None, text or 'mj_loadXML failed without a message'
    return Model(ptr, text), None


def load_xml(path):
    """Compile the MJCF/URDF file at path: (Model, None), or (None, error text)."""
    return _load(os.fsencode(path), None)


def load_xml_bytes(xml, filename='model.xml', files=None):
    """Compile MJCF given as bytes (or str) through a heap-allocated mjVFS holding it
    as filename, plus files {name: bytes}: (Model, None), or (None, error text)."""
    entries = {filename: xml}
    entries.update(files or {})
    buf = ctypes.create_string_buffer(ctypes.sizeof(mjVFS))   # ~2 MB: heap, not stack
    vfs = ctypes.cast(buf, ctypes.POINTER(mjVFS))
    lib.mj_defaultVFS(buf)
    try:
        for name, content in entries.items():
            if isinstance(content, str):
                content = content.encode()
            bname = name.encode()
            rc = lib.mj_makeEmptyFileVFS(buf, bname, len(content))
            if rc != 0:
                return None, 'mj_makeEmptyFileVFS(%s) returned %d' % (name, rc)
            k = lib.mj_findFileVFS(buf, bname)
            ctypes.memmove(vfs.contents.filedata[k], content, len(content))
        return _load(filename.encode(), buf)
    finally:
        lib.mj_deleteVFS(buf)


# ------------------------------------------------------------------ self-check

_CHECK_XML = b"""<mujoco model="mjctypes_check">
  <option timestep="0.0125" impratio="1.5" tolerance="1e-9" noslip_tolerance="2e-7"
          mpr_tolerance="3e-7" gravity="0.1 0.2 -9.5" wind="0.3 0.4 0.5" magnetic="0 0.6 0"
          density="1.25" viscosity="0.0025" o_margin="0.01" o_solref="0.03 1.1"
          o_solimp="0.8 0.9 0.002 0.4 3" integrator="RK4" cone="elliptic" jacobian="dense"
          solver="CG" iterations="77" noslip_iterations="3" mpr_iterations="41"/>
  <visual><global fovy="33" offwidth="321" offheight="123"/>
          <rgba crankbroken="0.1 0.2 0.3 0.4"/></visual>
  <size nuserdata="5" nuser_geom="2"/>
  <worldbody>
    <body name="b1" pos="0 0 1">
      <joint name="j1" type="hinge" axis="0 1 0"/>
      <joint name="j2" type="slide" axis="1 0 0"/>
      <geom name="g1" type="capsule" size="0.05 0.2" user="7 8"/>
      <site name="s1"/>
      <body name="b2" pos="0 0 -0.4"><joint type="ball"/><geom type="sphere" size="0.1"/></body>
    </body>
    <geom name="floor" type="plane" size="5 5 0.1"/>
  </worldbody>
  <actuator><motor joint="j1" gear="3"/></actuator>
</mujoco>
"""


_ALIGN = 64     # libmujoco 2.2 starts every array of the model/data buffer on 64 bytes


def _skip(n):
    return (n + _ALIGN - 1) // _ALIGN * _ALIGN


def _check_chain(struct, items, sizes, what):
    """The library lays out every X-macro array consecutively in one buffer, each
    start aligned to _ALIGN bytes; reading the pointers through our parsed offsets must
    reproduce that chain exactly (this checks every pointer member's offset and every
    parsed dimension). Returns the offset of the end of the last array."""
    base = struct.buffer
    off = None
    for ctype, name, rows, cols in items:
        addr = ctypes.cast(getattr(struct, name), ctypes.c_void_p).value
        if off is None:
            off = addr - base
            if off < 0 or off % _ALIGN:
                raise ImportError('mjctypes: %s.%s not in buffer' % (what, name))
        if addr != base + off:
            raise ImportError('mjctypes: %s.%s at offset %d, expected %d: struct layout '
                              'or X-macro dims disagree with the library'
                              % (what, name, addr - base, off))
        size = _eval_dim(rows, sizes) * _eval_dim(cols, sizes) * DTYPE[ctype].itemsize
        end = off + size
        off += _skip(size)
    return end


def _selfcheck():
    header = CONST.get('mjVERSION_HEADER')
    if header != VERSION:
        raise ImportError('mjctypes: headers are version %s, library is %s' % (header, VERSION))

    # defaults written into guarded buffers: the library must write exactly our sizeof
    for cls, fn in ((mjOption, lib.mj_defaultOption), (mjVisual, lib.mj_defaultVisual)):
        n = ctypes.sizeof(cls)
        buf = (ctypes.c_ubyte * (n + 256))(*([0xA5] * (n + 256)))
        fn(buf)
        if any(b != 0xA5 for b in buf[n:]):
            raise ImportError('mjctypes: %s is larger in the library than parsed' % cls.__name__)

    m, err = load_xml_bytes(_CHECK_XML, 'mjctypes_check.xml')
    if m is None:
        raise ImportError('mjctypes: self-check model failed to compile: ' + err)
    s = m.struct
    expect = {'nq': 6, 'nv': 5, 'nu': 1, 'nbody': 3, 'njnt': 3, 'ngeom': 3, 'nsite': 1,
              'nuserdata': 5, 'nuser_geom': 2}
    got = {k: getattr(s, k) for k in expect}
    o, v = s.opt, s.vis
    checks = [
        (got == expect, 'sizes %s' % got),
        (o.timestep == 0.0125 and o.impratio == 1.5 and o.tolerance == 1e-9, 'opt floats'),
        (o.noslip_tolerance == 2e-7 and o.mpr_tolerance == 3e-7, 'opt tolerances'),
        (list(o.gravity) == [0.1, 0.2, -9.5] and list(o.wind) == [0.3, 0.4, 0.5], 'opt vectors'),
        (list(o.magnetic) == [0, 0.6, 0] and o.density == 1.25 and o.viscosity == 0.0025,
         'opt medium'),
        (o.o_margin == 0.01 and list(o.o_solref) == [0.03, 1.1]
         and list(o.o_solimp) == [0.8, 0.9, 0.002, 0.4, 3], 'opt overrides'),
        ((o.integrator, o.cone, o.jacobian, o.solver) ==
         (CONST['mjINT_RK4'], CONST['mjCONE_ELLIPTIC'], CONST['mjJAC_DENSE'],
          CONST['mjSOL_CG']), 'opt enums'),
        ((o.iterations, o.noslip_iterations, o.mpr_iterations) == (77, 3, 41), 'opt ints'),
        (getattr(v, 'global').fovy == 33 and getattr(v, 'global').offwidth == 321
         and getattr(v, 'global').offheight == 123, 'vis.global'),
        (np.allclose(list(v.rgba.crankbroken), [0.1, 0.2, 0.3, 0.4]), 'vis.rgba.crankbroken'),
        (m.name2id(CONST['mjOBJ_SITE'], 's1') == 0
         and m.name2id(CONST['mjOBJ_JOINT'], 'j2') == 1, 'name2id'),
        (m.geom_user.shape == (3, 2)
         and m.geom_user[m.name2id(CONST['mjOBJ_GEOM'], 'g1')].tolist() == [7, 8], 'geom_user'),
        (m.actuator_gear[0, 0] == 3, 'actuator_gear'),
    ]
    for ok, what in checks:
        if not ok:
            raise ImportError('mjctypes: self-check failed reading back %s' % what)
    end = _check_chain(s, XMACRO['MJMODEL_POINTERS'], _sizes(s), 'mjModel')
    if end != s.nbuffer:
        raise ImportError('mjctypes: mjModel arrays end at %d, nbuffer is %d' % (end, s.nbuffer))

    d = Data(m)
    ds = d.struct
    if ds.nstack != s.nstack or ds.nbuffer <= 0:
        raise ImportError('mjctypes: mjData header disagrees (nstack %d vs %d)'
                          % (ds.nstack, s.nstack))
    end = _check_chain(ds, XMACRO['MJDATA_POINTERS'], _sizes(s), 'mjData')
    if end != ds.nbuffer:
        raise ImportError('mjctypes: mjData arrays end at %d, nbuffer is %d' % (end, ds.nbuffer))
    d.step(3)
    if abs(ds.time - 3 * 0.0125) > 1e-12 or not np.all(np.isfinite(d.qpos)):
        raise ImportError('mjctypes: mjData.time after 3 steps is %r' % ds.time)
    d.free()
    m.free()


_selfcheck()
