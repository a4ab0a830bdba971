"""The rt_mutex PI protocol, model-checked (verify/pi/rtmutex.pml, docs/design.md
section 6): every interleaving of the configurations below satisfies the
model's properties P1-P5; each deliberately broken variant that the host
scenarios use (tests/rtcell --broken) yields a counterexample; and the model's
step numbers are those of rtcell/kernel/rtmutex.c."""

import re

import pytest

from spin_support import CODE, MODEL, run_spin

# name -> -D defines. Each is searched exhaustively (a couple of minutes here).
CONFIGS = {
    # one CPU: scheduling (P2) with threads released in every order,
    # timeouts and a priority change of a blocked thread from an interrupt
    "up_3threads_2locks": ["NT=3", "NL=2"],
    # a CPU per thread: every step of every thread interleaved at every point
    # where the code drops rt_wait_lock, with timeouts
    "anycpu_3threads_2locks": ["NT=3", "NL=2", "NPRIO=0", "ANY_CPU"],
    # RT_PI_MAX_DEPTH = 1: a boost is cut after one owner, a deboost never is
    "up_depth_limit_1": ["NT=3", "NL=2", "MAXD=1"],
}

# tests/rtcell/scenario.c's broken variants (enum rt_pi_fault) in the model.
FAULTS = ["F_NO_TRANSITIVE", "F_NO_DEBOOST", "F_NO_REQUEUE", "F_SAVED_PRIO", "F_LIFO",
          "F_NO_DEADLOCK"]


@pytest.mark.parametrize("name", CONFIGS)
def test_every_interleaving_keeps_the_pi_properties(name, tmp_path):
    r = run_spin(tmp_path / name, CONFIGS[name])
    print(r.summary())
    assert not r.truncated, f"search cut at depth {r.depth}: not exhaustive\n{r.summary()}"
    assert r.errors == 0 and r.states > 0, (
        f"{r.summary()}\ncounterexample: {tmp_path / name / 'counterexample.txt'}")


@pytest.mark.parametrize("fault", FAULTS)
def test_broken_variant_yields_a_counterexample(fault, tmp_path):
    r = run_spin(tmp_path / fault, ["NT=3", "NL=2", fault])
    print(r.summary())
    assert r.errors > 0, f"the model cannot tell {fault} from the real protocol: {r.summary()}"
    assert "assertion violated" in r.violation or "invalid end state" in r.violation, r.text


def test_broken_variants_are_those_of_the_host_scenarios():
    header = (CODE.parent.parent / "include" / "rt" / "rtmutex.h").read_text()
    code_faults = re.findall(r"RT_PI_FAULT_(\w+) = ", header)
    assert sorted(f"F_{f}" for f in code_faults) == sorted(FAULTS)
    model = MODEL.read_text()
    for fault in FAULTS:
        assert f"#ifdef {fault}" in model or f"#ifndef {fault}" in model, fault


# ---- the model follows rtmutex.c's numbered steps ----

STEP = re.compile(r"\b[Ss]teps? (\d+)([a-z]?)(?:-(\d+))?")


def protocol_steps(code: str) -> set:
    """The numbered steps (and lettered sub-steps) of rtmutex.c's protocol comment."""
    head = code[:code.index("*/")]
    steps, last = set(), None
    for line in head.splitlines():
        top = re.match(r"^ \*\s{1,2}(\d+)\. ", line)
        sub = re.match(r"^ \*\s{3,}([a-z])\. ", line)
        if top:
            last = top.group(1)
            steps.add(last)
        elif sub and last:
            steps.add(last + sub.group(1))
    return steps


def marked_steps(text: str) -> set:
    steps = set()
    for first, letter, last in STEP.findall(text):
        if last:
            steps.update(str(n) for n in range(int(first), int(last) + 1))
        else:
            steps.add(first + letter)
    return steps


def code_body_steps(code: str) -> set:
    """Steps marked in rtmutex.c's code: "Step N" comments and /* N */ markers."""
    body = code[code.index("*/"):]
    inline = re.findall(r"/\* (\d+[a-z]?)(?: \*/|:)", body)
    return marked_steps(body) | set(inline)


def test_model_steps_are_the_codes_steps():
    code = CODE.read_text()
    model = MODEL.read_text()
    protocol = protocol_steps(code)
    assert {"1", "6a", "8a", "14"} <= protocol, f"cannot read the protocol comment: {protocol}"
    skipped_text = model[model.index("Not modelled:"):model.index("*/")]
    skipped = marked_steps(skipped_text)
    modelled = marked_steps(model.replace(skipped_text, ""))
    assert modelled | skipped == protocol, (
        f"steps only in rtmutex.c: {sorted(protocol - modelled - skipped)}; "
        f"only in the model: {sorted((modelled | skipped) - protocol)}")
    assert not modelled & skipped, f"both modelled and skipped: {sorted(modelled & skipped)}"
    # Each modelled step's place in the code is marked, so a reviewer finds it.
    unmarked = protocol - code_body_steps(code) - {"6"}
    assert not unmarked, f"steps of the protocol comment not marked in the code: {sorted(unmarked)}"
