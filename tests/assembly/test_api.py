"""The public API: names that are functions, and the collector left as the caller had it."""

from __future__ import annotations

import gc
import inspect

from conftest import REPO


def test_build_and_assemble_are_the_functions() -> None:
    from assembler import assemble, build
    assert inspect.isfunction(assemble) and assemble.__name__ == "assemble"
    assert inspect.isfunction(build) and build.__name__ == "build"
    import assembler
    assert assembler.assemble is assemble and assembler.build is build


def test_assembly_restores_the_collector_settings() -> None:
    from assembler import assemble
    before = gc.get_threshold()
    gc.set_threshold(500, 7, 9)
    try:
        frozen = gc.get_freeze_count()
        assembly = assemble(REPO / "examples/basic.yaml", as_of="2026-03-01")
        assert assembly.agreement.manifest.reference == "KS 2026/0412"
        assert gc.get_threshold() == (500, 7, 9)
        assert gc.get_freeze_count() == frozen
    finally:
        gc.set_threshold(*before)


def test_the_last_of_two_threads_restores_the_collector() -> None:
    import threading

    from assembler._gc import quiet_collector
    before = gc.get_threshold()
    entered, release = threading.Event(), threading.Event()

    def first() -> None:
        with quiet_collector():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    entered.wait(10)
    with quiet_collector():
        assert gc.get_threshold()[0] == 100_000
    assert gc.get_threshold()[0] == 100_000  # the first thread is still building
    release.set()
    thread.join(10)
    assert gc.get_threshold() == before
