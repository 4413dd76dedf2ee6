"""reportlab's C accelerator is installed with the package and in use (else reportlab measures text in Python)."""

from __future__ import annotations


def test_reportlab_uses_its_accelerator() -> None:
    from reportlab.lib import rl_accel
    assert {"fp_str", "instanceStringWidthTTF", "escapePDF"} <= set(rl_accel._c_funcs)
    assert type(rl_accel.instanceStringWidthTTF).__name__ == "builtin_function_or_method"
