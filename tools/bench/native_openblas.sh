#!/usr/bin/env bash
# Runs a command (a PyTorch reference) with OpenBLAS on its fastest kernel for this CPU. OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE from the environment are dropped (an environment may pin the AVX2 kernel). When OpenBLAS then
# does not recognise the CPU and falls back to a generic kernel (0.3.21 runs SSE3 "Prescott" on Emerald Rapids, at
# a quarter of its AVX-512 speed), the kernel is chosen from the CPU's flags: Cooperlake with AVX-512 BF16,
# SkylakeX with AVX-512, Haswell with AVX2.
#   tools/bench/native_openblas.sh /usr/bin/python3 tools/bench/torch_gemm.py --n 1024
set -euo pipefail
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
here="$(dirname "$0")"
detected=$(cd "$here" && /usr/bin/python3 -c 'import openblas_core; print(openblas_core.core_name())')
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
level() {   # the instruction set an OpenBLAS kernel uses: 3 AVX-512 BF16, 2 AVX-512, 1 AVX2, 0 older
  case "$1" in
    Cooperlake|SapphireRapids) echo 3 ;;
    SkylakeX) echo 2 ;;
    Haswell|Zen) echo 1 ;;
    *) echo 0 ;;
  esac
}
want=""
if [[ " $flags " == *" avx512_bf16 "* ]]; then want=Cooperlake
elif [[ " $flags " == *" avx512f "* ]]; then want=SkylakeX
elif [[ " $flags " == *" avx2 "* ]]; then want=Haswell
fi
if [ -n "$want" ] && [ "$(level "$detected")" -lt "$(level "$want")" ]; then
  export OPENBLAS_CORETYPE="$want"
  echo "native_openblas: OpenBLAS detected $detected on a CPU with ${want}'s instructions; running $want" >&2
fi
exec "$@"
