"""run_emulator's backstop: a run that does not end is killed at its timeout, and what it
printed last (both consoles) is in the failure's description."""

from bulkhead_tools import emulator


def test_a_hung_run_is_killed_and_its_description_shows_both_consoles_last_lines(tmp_path):
    side = tmp_path / "run.log.hv.log"
    script = ("for i in $(seq 1 40); do echo serial-$i; done; "
              f"echo side-first >> {side}; echo side-last >> {side}; "
              "echo ready; exec sleep 600")
    result = emulator.run_emulator(["sh", "-c", script], str(tmp_path / "run.log"), timeout_s=5,
                                   side_log=str(side))
    assert result.timed_out
    text = result.describe()
    assert "timed out after" in text
    main_tail = text.split("the console's last lines:\n")[1].split("\nthe side console")[0]
    assert main_tail.splitlines()[-1] == "  | ready"
    assert "  | serial-40" in main_tail and "serial-15\n" not in main_tail + "\n"
    assert len(main_tail.splitlines()) == emulator.RunResult.TAIL_LINES
    assert text.endswith("the side console's last lines:\n  | side-first\n  | side-last")


def test_a_run_that_ends_is_described_without_its_output(tmp_path):
    result = emulator.run_emulator(["sh", "-c", "echo done; exit 3"], str(tmp_path / "r.log"),
                                   timeout_s=60)
    assert not result.timed_out and result.returncode == 3
    assert result.describe().endswith(f"-> exit status 3 after {result.seconds:.1f} s, log: "
                                      f"{tmp_path / 'r.log'}")
