"""`python -m policies.llm.llama_server_main ARGS`: llama-cpp-python's own server, exactly as
`python -m llama_cpp.server ARGS`, except that llama.cpp is kept off its AMX kernels where they crash
(policies/llm/llama_cpp_buffers.py): the setting has to be made inside the server's process."""

from __future__ import annotations

import runpy

from policies.llm.llama_cpp_buffers import keep_off_extra_buffers

if __name__ == "__main__":
    keep_off_extra_buffers()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
