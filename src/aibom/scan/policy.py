"""Which imports a model file may make: a small allowlist, and a denylist that explains.

The allowlist is what the everyday artefacts need (PyTorch tensors and built-in modules,
numpy, scikit-learn, pandas, joblib, SciPy sparse matrices, the Hugging Face / Lightning
training state). Anything else is NOT_ALLOWED: the scan fails and names the import, so a new
gadget does not pass just because nobody listed it yet. The denylist is consulted first: it
gives known-dangerous names (including ones under allowed packages) a reason, and keeps them
refused even if someone later widens the allowlist. Docs: docs/security.md, "aibom scan".
"""

from __future__ import annotations

from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING

from aibom.scan.result import Severity

_RUNS_COMMANDS = "runs commands or programs"
_RUNS_CODE = "evaluates, compiles or builds code"
_REACHES = "imports or reaches arbitrary objects"
_FILES = "reads, writes or deletes files"
_NESTED = "loads another pickle or archive that this scan cannot see"
_NETWORK = "opens network connections"
_INSTALLS = "installs or downloads packages or code"
_INTERACTIVE = "starts a debugger, a pager or waits for input"
_GADGET = "a known gadget that runs code or commands"


def _rules(reason: str, *prefixes: str) -> dict[str, str]:
    return dict.fromkeys(prefixes, reason)


# Dotted prefixes: a prefix covers itself and everything below it.
DENY: dict[str, str] = {
    **_rules(_RUNS_COMMANDS, "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi",
             "pty", "asyncio", "multiprocessing", "concurrent", "pydoc", "webbrowser",
             "antigravity", "uuid._get_command_stdout", "_osx_support", "_aix_support",
             "platform", "ctypes.util", "shlex", "signal", "_signal"),
    **_rules(_RUNS_CODE, "builtins.eval", "builtins.exec", "builtins.compile", "code", "codeop",
             "marshal", "runpy", "timeit", "profile", "cProfile", "trace", "doctest", "idlelib",
             "lib2to3", "test", "logging.config", "types", "dill", "cloudpickle", "yaml",
             "jinja2", "_xxsubinterpreters", "_interpreters", "_xxinterpchannels",
             "interpreters", "site", "sitecustomize", "copyreg.add_extension",
             "pandas.eval", "pandas.core.computation", "numpy.testing", "numpy.f2py",
             "numpy.distutils", "torch.fx", "torch.package", "torch.utils.cpp_extension",
             "torch._dynamo", "torch._inductor", "torch.compile", "torch.jit",
             "torch.utils.collect_env", "torch.utils.bottleneck", "torch._C",
             "torch.testing", "torch.distributed", "torch.onnx", "torch.export",
             "sklearn.utils._testing", "sklearn.utils.fixes", "sklearn.externals",
             "functools.reduce", "_functools.reduce"),
    **_rules(_REACHES, "builtins.__import__", "builtins.getattr", "builtins.setattr",
             "builtins.delattr", "builtins.globals", "builtins.locals", "builtins.vars",
             "builtins.type", "builtins.super", "builtins.object.__", "sys", "importlib",
             "imp", "pkgutil", "zipimport", "operator", "_operator", "ctypes", "_ctypes",
             "cffi", "numpy.ctypeslib", "inspect", "gc", "weakref", "functools.partial",
             "_functools.partial"),
    **_rules(_FILES, "builtins.open", "io", "_io", "codecs.open", "shutil", "tempfile",
             "glob", "pathlib.Path.write", "fileinput", "logging", "zipfile", "tarfile",
             "sqlite3", "_sqlite3", "dbm", "mmap", "numpy.memmap", "numpy.fromfile",
             "numpy.tofile", "numpy.save", "numpy.lib.npyio", "torch.save",
             "torch.serialization.save", "sklearn.datasets", "pandas.io", "pandas.read_csv",
             "pandas.ExcelWriter", "pandas.ExcelFile", "pandas.HDFStore"),
    # torch.storage._load_from_bytes calls torch.load on bytes inside the pickle.
    **_rules(_NESTED, "pickle", "_pickle", "cPickle", "pickletools", "shelve", "joblib.load",
             "joblib.numpy_pickle.load", "joblib.numpy_pickle_compat", "numpy.load",
             "numpy.lib.format", "numpy.lib._npyio_impl", "numpy.loads", "pandas.read_pickle",
             "torch.load", "torch.serialization.load", "torch.storage._load_from_bytes"),
    **_rules(_NETWORK, "socket", "_socket", "ssl", "_ssl", "socketserver", "http", "urllib",
             "urllib3", "requests", "numpy.lib._datasource", "numpy.DataSource", "httpx",
             "aiohttp", "ftplib", "smtplib", "telnetlib",
             "xmlrpc", "imaplib", "poplib", "nntplib", "smtpd", "asynchat", "asyncore",
             "wsgiref", "email", "mailbox"),
    **_rules(_INSTALLS, "pip", "setuptools", "distutils", "ensurepip", "venv", "torch.hub",
             "huggingface_hub", "transformers.utils.hub"),
    **_rules(_INTERACTIVE, "builtins.input", "builtins.breakpoint", "builtins.help", "pdb",
             "bdb", "cmd", "_pyrepl", "pyrepl", "rlcompleter", "readline", "tty", "termios",
             "curses", "tkinter", "turtle"),
}  # fmt: skip

# Exact names a model file needs, beyond the module prefixes below.
ALLOW_EXACT = frozenset({
    "collections.OrderedDict", "collections.Counter", "collections.defaultdict",
    "collections.deque", "copyreg._reconstructor", "_codecs.encode", "codecs.encode",
    "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes",
    "builtins.slice", "builtins.complex", "builtins.range", "builtins.dict", "builtins.list",
    "builtins.tuple", "builtins.int", "builtins.float", "builtins.bool", "builtins.str",
    "builtins.object", "builtins.NoneType", "builtins.Ellipsis", "builtins.NotImplemented",
    "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta",
    "datetime.timezone", "decimal.Decimal", "fractions.Fraction", "uuid.UUID",
    "argparse.Namespace", "pathlib.PosixPath", "pathlib.WindowsPath",
    "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "pathlib._local.PosixPath",
    "pathlib._local.WindowsPath", "enum.Enum", "re._compile",
    "torch.Size", "torch.Tensor", "torch.device", "torch.dtype", "torch.layout",
    "torch.memory_format", "torch.strided", "torch.sparse_coo", "torch.sparse_csr",
    "torch.contiguous_format", "torch.channels_last", "torch.preserve_format",
    "torch.serialization._get_layout", "torch._tensor._rebuild_from_type_v2",
    "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
    "torch.nn.parameter.Parameter", "torch.nn.parameter.Buffer",
    "torch.nn.parameter.UninitializedParameter", "torch.nn.parameter.UninitializedBuffer",
    "torch.torch_version.TorchVersion", "torch.optim.lr_scheduler.LambdaLR",
    "torch.random.get_rng_state",
    *(f"torch._utils._rebuild_{kind}" for kind in (
        "tensor", "tensor_v2", "tensor_v3", "parameter", "parameter_with_state", "qtensor",
        "sparse_tensor", "meta_tensor_no_storage", "wrapper_subclass", "nested_tensor",
        "device_tensor_from_numpy", "device_tensor_from_cpu_tensor")),
    *(f"torch.{dtype}" for dtype in (
        "float16", "float32", "float64", "bfloat16", "half", "float", "double",
        "complex32", "complex64", "complex128", "chalf", "cfloat", "cdouble",
        "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
        "short", "int", "long", "bool", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
        "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
        "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
        "per_channel_symmetric", "per_channel_affine_float_qparams")),
    *(f"numpy.{core}.multiarray.{name}" for core in ("core", "_core")
      for name in ("_reconstruct", "scalar")),
    *(f"numpy.{core}.numeric._frombuffer" for core in ("core", "_core")),
    "numpy.ndarray", "numpy.dtype", "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
    "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
    "numpy.random._pickle.__generator_ctor", "numpy.random.mtrand.RandomState",
    "numpy.random._generator.Generator", "numpy.random.bit_generator.SeedSequence",
    "joblib.numpy_pickle.NumpyArrayWrapper",
    *(f"numpy.{scalar}" for scalar in (
        "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "longdouble", "complex64", "complex128",
        "clongdouble", "str_", "bytes_", "void", "datetime64", "timedelta64", "intc", "uintc",
        "int_", "uint", "longlong", "ulonglong", "half", "single", "double", "object_")),
    "pandas._libs.internals._unpickle_block", "pandas.core.internals.blocks.new_block",
    "pandas.core.indexes.base._new_Index", "pandas._libs.tslibs.timestamps._unpickle_timestamp",
    "pandas._libs.tslibs.timedeltas._timedelta_unpickle",
    "pandas._libs.tslibs.nattype.__nat_unpickle", "pandas.core.arrays.categorical._new_Categorical",
    "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
    "pytz._UTC", "pytz._p", "dateutil.tz.tz.tzutc", "zoneinfo.ZoneInfo",
    "zoneinfo._common._load_timezone",
})  # fmt: skip

# Packages whose classes are data containers: any *class* (a capitalised top-level name) below
# them is allowed. Functions, methods and nested attributes are not: a function there may
# write files or fetch data when called.
ALLOW_CLASSES_UNDER = (
    "torch.nn.modules",
    "torch.optim",
    "torch.ao.quantization",
    "torch.distributions",
    "numpy.dtypes",
    "numpy.random",
    "numpy",
    "sklearn",
    "scipy.sparse",
    "scipy.stats",
    "pandas",
    "pytz",
    "dateutil.tz",
    "joblib.numpy_pickle",
    "transformers.training_args",
    "transformers.trainer_utils",
    "transformers.trainer_pt_utils",
    "transformers.debug_utils",
    "transformers.utils.generic",
    "transformers.integrations.deepspeed",
    "accelerate.utils.dataclasses",
    "accelerate.state",
    "lightning.fabric.utilities.data",
    "lightning.pytorch.utilities.parsing",
    "pytorch_lightning.utilities.parsing",
    "lightning_fabric.utilities.data",
    "lightning.pytorch.callbacks",
    "pytorch_lightning.callbacks",
    "omegaconf",
)


def normalise(module: str, name: str) -> tuple[str, str]:
    """Python 2 names as the unpickler maps them (`__builtin__.eval` is `builtins.eval`)."""
    return NAME_MAPPING.get((module, name), (IMPORT_MAPPING.get(module, module), name))


def judge(module: str, name: str) -> tuple[Severity, str] | None:
    """(severity, reason) for importing `name` from `module`; None when it is allowed."""
    module, name = normalise(module, name)
    full = f"{module}.{name}"
    reason = _denied(full)
    if reason:
        return Severity.DANGEROUS, f"{full}: {reason}"
    attrs = name.split(".")
    # Protocol 4 resolves a dotted name attribute by attribute, so `torch.serialization` +
    # `os.system` is os.system, and `X.__globals__` reaches anything.
    if any(a.startswith("__") and a.endswith("__") for a in attrs):
        return Severity.DANGEROUS, f"{full}: attribute path through a dunder attribute"
    if len(attrs) > 1 and not all(a[:1].isupper() for a in attrs[:-1]):
        return Severity.DANGEROUS, f"{full}: attribute path through something that is not a class"
    if _allowed(module, name):
        return None
    return Severity.NOT_ALLOWED, f"{full}: not on the allowlist of what model files need"


def _denied(full: str) -> str | None:
    parts = full.split(".")
    for end in range(len(parts), 0, -1):
        reason = DENY.get(".".join(parts[:end]))
        if reason:
            return reason
    if any(p.startswith("__") and p.endswith("__") and p != "__main__" for p in parts[:-1]):
        return "a module path through a dunder (a module's __builtins__ reaches eval)"
    return None


def _allowed(module: str, name: str) -> bool:
    full = f"{module}.{name}"
    if full in ALLOW_EXACT or _is_storage(full):
        return True
    if "." in name:
        return False
    # A class (Capitalised, or _Private), or the helper Cython writes to unpickle one.
    if not (name.lstrip("_")[:1].isupper() or name.startswith("__pyx_unpickle_")):
        return False
    return any(module == p or module.startswith(p + ".") for p in ALLOW_CLASSES_UNDER)


def _is_storage(full: str) -> bool:
    """torch.FloatStorage, torch.cuda.HalfStorage, ...: the legacy typed storage classes."""
    module, _, name = full.rpartition(".")
    return module in ("torch", "torch.cuda") and name.endswith("Storage") and name.isalnum()
