"""The progress display of long commands (tools/pylib/bulkhead_tools/progress.py) and its use by
`./bulkhead test` (testrun.py), without an emulator: plain lines off a terminal, one line redrawn
in place on one, expected times from the last run, and the test run's last line left alone.
"""

import io

from bulkhead_tools import progress, testrun


class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_off_a_terminal_each_phase_starts_and_ends_with_a_plain_line(tmp_path):
    out, clock = io.StringIO(), Clock()
    p = progress.Progress("fuzz", stream=out, tty=False, history=tmp_path / "t.json", now=clock)
    p.phase("libFuzzer targets", runs=2, expected_s=60)
    p.step(1, "fuzz_config_check", plain=True)
    clock.t += 30
    p.step(2, "fuzz_system_dtb")            # not asked for a plain line: none
    clock.t += 31
    p.close()
    assert out.getvalue().splitlines() == [
        "fuzz: libFuzzer targets: 2 runs (expected ~1:00)",
        "fuzz: libFuzzer targets run 1/2: fuzz_config_check (0:00 elapsed)",
        "fuzz: libFuzzer targets done in 1:01"]
    assert "\r" not in out.getvalue() and "\033" not in out.getvalue()


def test_expected_time_comes_from_the_last_run_scaled_by_its_runs(tmp_path):
    history, clock = tmp_path / "t.json", Clock()
    first = progress.Progress("test", stream=io.StringIO(), tty=False, history=history, now=clock)
    first.phase("host unit tests", runs=10)
    clock.t += 40
    first.phase("Python tests", runs=100)
    clock.t += 600
    first.close()
    out = io.StringIO()
    second = progress.Progress("test", stream=out, tty=False, history=history, now=clock)
    second.phase("host unit tests")
    assert out.getvalue().splitlines()[-1] == "test: host unit tests (expected ~0:40)"
    second.phase("Python tests", runs=50)
    assert out.getvalue().splitlines()[-1] == "test: Python tests: 50 runs (expected ~5:00)"
    assert second.line().startswith("test: Python tests · 0:00 elapsed · ~5:00 expected")


def test_on_a_terminal_one_line_is_redrawn_in_place_and_said_lines_stay_above(tmp_path):
    out, clock = io.StringIO(), Clock()
    p = progress.Progress("measure", stream=out, tty=True, history=tmp_path / "t.json",
                          now=clock)
    p.phase("phases and baselines", runs=14, expected_s=240)
    clock.t += 75
    p.step(3, "idle: booting linux-rt.dts")
    assert p.line() == ("measure: phases and baselines run 3/14 · 1:15 elapsed · ~4:00 expected "
                        "· idle: booting linux-rt.dts")
    p.say("measure: [3/14] idle: booting linux-rt.dts ...")
    p.close()
    text = out.getvalue()
    # Every redraw starts by going back to the line's start and clearing it; no newline is
    # ever written after a progress line, so nothing but said lines remain on the screen.
    assert text.count("\n") == 1 and "\r\033[Kmeasure: [3/14] idle: booting" in text
    assert text.endswith("\r\033[K")
    assert "\r\033[Kmeasure: phases and baselines run 3/14 · 1:15 elapsed" in text


def test_test_runs_last_line_stays_the_tally(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BULKHEAD_BUILD_DIR", str(tmp_path))

    def unit(tally, p):
        p.phase("host unit tests")
        tally.passed += 3

    def system(tally, args, p):
        p.phase("Python tests")
        tally.failed += 1
        tally.skipped += 2
    monkeypatch.setattr(testrun, "run_unit", unit)
    monkeypatch.setattr(testrun, "run_system", system)
    assert testrun.run_tests() == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "test: host unit tests"
    assert lines[-1] == "3 passed, 1 failed, 2 skipped"


def test_meson_and_pytest_lines_move_the_count_and_show_failures(tmp_path):
    out = io.StringIO()
    p = progress.Progress("test", stream=out, tty=False, history=tmp_path / "t.json")
    p.phase("host unit tests")
    testrun._meson_line(" 3/41 test_format                 OK              0.05s", p)
    assert (p.run, p.runs, p.detail) == (3, 41, "test_format")
    testrun._meson_line(" 4/41 test_string                 FAIL            0.05s", p)
    p.phase("Python tests")
    testrun._pytest_line("collecting ... collected 730 items / 20 deselected / 710 selected", p)
    testrun._pytest_line("tests/system/test_bhctl.py::test_a PASSED     [  0%]", p)
    testrun._pytest_line("tests/system/test_bhctl.py::test_b FAILED     [  0%]", p)
    assert (p.run, p.runs) == (2, 710)
    assert testrun._running_test("tests/system/test_bhctl.py::test_c ") == "test_c"
    said = out.getvalue().splitlines()
    assert " 4/41 test_string                 FAIL            0.05s" in said
    assert "FAILED tests/system/test_bhctl.py::test_b" in said
    assert not any("test_format" in line or "test_a" in line for line in said)


def test_measure_steps_go_above_the_progress_line(tmp_path):
    from bulkhead_tools.measure import runner
    out = io.StringIO()
    display = progress.Progress("measure --quick", stream=out, tty=True,
                                history=tmp_path / "t.json")
    steps = runner.Progress(2, echo=None, display=display)
    steps.start("idle: booting linux-rt.dts under the hypervisor")
    assert display.line().startswith("measure --quick: phases and baselines run 1/2 · ")
    steps.result("cpu 2 (rt): window 0")
    display.close()
    said = [part.split("\r\033[K")[-1] for part in out.getvalue().split("\n")[:-1]]
    assert said[0] == "measure: [1/2] idle: booting linux-rt.dts under the hypervisor ..."
    assert said[1].startswith("measure:        cpu 2 (rt): window 0 (0 s; 0 s so far)")


def test_measure_steps_through_a_display_say_as_the_bochs_and_linux_cost_runs_pass_it(tmp_path):
    # cli.py gives the Bochs measure and --linux-cost `echo=display.say`, which takes the text
    # alone (a flush= keyword once made every such run stop at its first step).
    from bulkhead_tools.measure import runner
    out = io.StringIO()
    display = progress.Progress("measure --quick", stream=out, tty=False,
                                history=tmp_path / "t.json")
    steps = runner.Progress(1, echo=display.say)
    steps.start("alone: x86-rtcell.dts under bulkhead.elf, run 1/1")
    steps.result("cpu 1 (rt): window 0")
    display.close()
    lines = out.getvalue().splitlines()
    assert "measure: [1/1] alone: x86-rtcell.dts under bulkhead.elf, run 1/1 ..." in lines
    assert any(line.startswith("measure:        cpu 1 (rt): window 0 (") for line in lines)


def test_measure_steps_without_a_display_print_plain_lines(capsys):
    from bulkhead_tools.measure import runner
    steps = runner.Progress(1)
    steps.start("idle: one step")
    assert capsys.readouterr().out == "measure: [1/1] idle: one step ...\n"
