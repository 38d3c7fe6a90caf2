"""The kernel OpenBLAS actually runs in this process (openblas_get_corename), for the JSON lines of the PyTorch
references: the OPENBLAS_CORETYPE variable alone does not tell, because OpenBLAS falls back to a generic SSE3
kernel ("Prescott") on a CPU its build does not know."""
import ctypes
import ctypes.util


def core_name():
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return lib.openblas_get_corename().decode()
    return "unknown"
