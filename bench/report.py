"""Render benchmark results as the Markdown table the README links to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

TARGETS = {"macro_f1": 0.95, "rest_p50_ms": 40, "rest_p95_ms": 80}
# Issue 14's targets for ours beside the stock `rasa init` bot, in one run
THROUGHPUT_RATIO = 1.5  # at least, ours / stock
AT_PACE_PEOPLE, AT_PACE_P95_MS = 50, 250  # and every turn answered
CROWD_PEOPLE = 150  # p95 no worse than stock's
LONG_GROWTH = 1.5  # ours, its last turns against its first
MEMORY_MB = 900


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def markdown(r: dict[str, Any]) -> str:
    """Every section the results hold: `--only load` may have run alone."""
    lines = full_run(r) if "intent_classification" in r else ["# Benchmark results", ""]
    if "safety" in r:
        lines += safety(r["safety"])
    if "load" in r:
        lines += load(r["load"])
    if "profile" in r:
        lines += profile(r["profile"])
    if "stock" in r:
        lines += side_by_side(r["stock"])
    if "replicas" in r:
        lines += replicas(r["replicas"])
    return "\n".join(lines)


def replicas(r: dict[str, Any]) -> list[str]:
    counts = sorted((k for k in r if k.isdigit()), key=int)
    return [
        "## Scale-out: one and two Rasa replicas (issue 14)",
        "",
        f"{r['date']}. The scale-out profile on this machine: PostgreSQL, the Redis "
        "lock store, one action server and the profile's nginx in front "
        "(tests/scale_out.py), with its per-address limits lifted because the "
        f"crowd comes from one address. {r['conversations']} conversations of "
        f"{r['turns_each']} turns at once over REST through nginx, as in the load "
        "section. `python -m bench --only replicas` measures this section alone.",
        "",
        "| replicas | turns | errors | turns/s | p50 | p95 | max |",
        "|---|---|---|---|---|---|---|",
        *(
            f"| {n} | {r[n]['turns']} | {r[n]['errors']} | {r[n]['turns_per_s']} | "
            f"{r[n]['p50_ms']} ms | {r[n]['p95_ms']} ms | {r[n]['max_ms']} ms |"
            for n in counts
        ),
        "",
        f"{scaling(r)} Every process of the profile shares this machine's "
        f"{os.cpu_count()} cores: one Rasa process uses about one, so a second "
        "replica's gain comes from the cores the first leaves idle.",
        "",
    ]


def scaling(r: dict[str, Any]) -> str:
    one, two = r["1"]["turns_per_s"], r["2"]["turns_per_s"]
    return f"Two replicas served {two / one:.2f}x the turns per second of one."


def measured(scores: dict[str, Any], r: dict[str, Any]) -> str:
    """Each row's own date; results from before rows carried one have the run's."""
    return str(scores.get("measured", r["machine"]["date"]))


def unseen_held_out(ours: dict[str, Any]) -> list[str]:
    """Our model on the held-out sets nobody here has read, when measured."""
    if "unseen_held_out" not in ours:
        return []
    return [
        "",
        "On the held-out sets nobody here has read:",
        *(
            f"- tests/{name}.yml: accuracy {s['accuracy']:.3f}, "
            f"macro-F1 {s['macro_f1']:.3f}"
            for name, s in ours["unseen_held_out"].items()
        ),
    ]


def full_run(r: dict[str, Any]) -> list[str]:
    m, scores = r["machine"], r["intent_classification"]
    ours = scores["ours"]
    best_baseline = max(s["macro_f1"] for k, s in scores.items() if k != "ours")
    rest, nlu = r["rest_round_trip_ms"], r["nlu_parse_ms"]
    f1_met = (
        ours["macro_f1"] >= TARGETS["macro_f1"] and ours["macro_f1"] > best_baseline
    )
    lines = [
        "# Benchmark results",
        "",
        f"{m['date']} on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, "
        f"Python {m['python']}. Produced by `make bench`.",
        "",
        "## Intent classification on the held-out set (tests/nlu_holdout.yml)",
        "",
        "| model | accuracy | macro-F1 | measured |",
        "|---|---|---|---|",
        *(
            f"| {name} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} "
            f"| {measured(s, r)} |"
            for name, s in scores.items()
        ),
        "",
        f"Target macro-F1 >= {TARGETS['macro_f1']} and above both baselines: "
        f"{verdict(f1_met)}.",
        *unseen_held_out(ours),
        "",
        "What a person gets first for the held-out messages once the fallback "
        "threshold and the safety decision apply (% of messages, measured "
        f"{served_on(r)}; the check-in's \"No, I'm okay\" leads to the answer):",
        "",
        '| right answer | "did you mean" buttons | safety check-in | escalated '
        "| wrong answer |",
        "|---|---|---|---|---|",
        "| {right_answer} | {fallback} | {check_in} | {escalated} "
        "| {wrong_answer} |".format(**r["held_out_outcomes_pct"]),
        "",
        "Macro-F1 of the topic the classifier placed each held-out message in "
        "(kept through a check-in or an escalation): "
        f"{r['held_out_topic_placed_macro_f1']:.3f}.",
        "",
        "![confusion matrix](intent_confusion_matrix.png)",
        "![confidence histogram](intent_histogram.png)",
        "",
        "## Serving (one client, loopback)",
        "",
        f"Measured {served_on(r)}; `python -m bench --only serving` measures this "
        "section alone.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| REST round trip p50 / p95 | {rest['p50']} / {rest['p95']} ms "
        f"({rest['requests']} requests) |",
        f"| NLU parse p50 / p95 | {nlu['p50']} / {nlu['p95']} ms |",
        f"| training from scratch (full run, {m['date']}) | {r['training_s']} s |",
        *(f"| start-up, {name} | {s} s |" for name, s in r["startup_s"].items()),
        *(f"| resident memory, {name} | {mb} MB |" for name, mb in r["rss_mb"].items()),
        "",
        f"Round trip p50 <= {TARGETS['rest_p50_ms']} ms: "
        f"{verdict(rest['p50'] <= TARGETS['rest_p50_ms'])}; "
        f"p95 <= {TARGETS['rest_p95_ms']} ms: "
        f"{verdict(rest['p95'] <= TARGETS['rest_p95_ms'])}.",
        "",
    ]
    return lines


def load(r: dict[str, Any]) -> list[str]:
    rows = {"REST": r["rest"], "socket.io": r["socketio"]}
    return [
        f"## Load: {r['conversations']} conversations of {r['turns_each']} turns "
        "at once (loopback)",
        "",
        f"{r['date']}. Each conversation is tests/crowd.py's, and sends its next "
        "turn when the whole answer has arrived. One Rasa server with its SQLite "
        "tracker store, and the action server. `python -m bench --only load` "
        "measures this section alone, with the model in models/.",
        "",
        "| channel | turns | errors | no reply | turns/s | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {f['turns']} | {f['errors']} | {f.get('silent', 0)} | "
            f"{f['turns_per_s']} | "
            f"{f['p50_ms']} ms | {f['p95_ms']} ms | {f['p99_ms']} ms | "
            f"{f['max_ms']} ms |"
            for name, f in rows.items()
        ),
        "",
        "A turn's latency is mostly waiting behind the other conversations' turns: "
        f"with {r['conversations']} in flight it is about {r['conversations']} / "
        "throughput. Throughput is the capacity figure.",
        "",
    ]


PROCESSES = {"rasa_server": "Rasa", "action_server": "action server"}


def profile(r: dict[str, Any]) -> list[str]:
    samples, idle = r["samples"], r["idle_pct"]
    return [
        "## Profile: where a turn's time goes (py-spy, under load)",
        "",
        f"{r['date']}. {r['at_once']} chat windows at once over REST held "
        f"{r['conversations']} conversations of up to {r['turns_each']} turns "
        f"({r['turns']} turns answered, {r['errors']} errors, {r['seconds']} s): "
        "held-out questions with varied openings, one message in twenty from the "
        "red-team set, no text sent twice. py-spy sampled each server "
        f"{r['rate_hz']} times a second, waiting or not ({samples['rasa_server']} "
        f"samples of Rasa's event loop, {samples['action_server']} of the action "
        "server's); each counts for the part of a turn its stack is in "
        "(bench/stacks.py). `python -m bench --only profile` measures this section "
        "alone.",
        "",
        "| part | process | ms per turn | share of a turn |",
        "|---|---|---|---|",
        *(
            f"| {p['part']} | {PROCESSES[p['process']]} | {p['ms_per_turn']} | "
            f"{p['share_pct']}% |"
            for p in r["parts"]
        ),
        f"| **a turn** | both | **{r['turn_ms']}** | 100% |",
        "",
        "A turn's time is what the two servers spend on it: Rasa's event loop, and "
        "the action server, which the turn waits for while Rasa serves other "
        "turns. Its latency adds the wait behind other turns. Rasa's event loop "
        f"was idle {idle['rasa_server']}% of the window, the action server "
        f"{idle['action_server']}%. The milliseconds grow with whatever else the "
        "machine runs; compare the shares.",
        "",
    ]


def safety(sets: dict[str, Any]) -> list[str]:
    lines = [
        "## Safety: what each group of messages gets",
        "",
        "Each message is parsed as the first of a conversation. Escalated: crisis or "
        "distress resources at once; checked in: the assistant first asks whether "
        "the person is having thoughts of hurting themselves; otherwise it answers. "
        "Only sets nobody has read measure wording nobody has seen "
        "(bench/safety_sets.yml).",
        "",
    ]
    for name, s in sets.items():
        status = "read" if s["read"] else "never read"
        lines += [
            f"### {name}: {s['messages']} messages, written {s['written']}, {status}",
            "",
            "| group | messages | escalated | at crisis level | checked in "
            "| escalated or checked in | reply in their language |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {group} | {g['messages']} | {g['escalated']:.1%} | "
                f"{g['escalated_crisis']:.1%} | {g['checked']:.1%} | "
                f"{g['escalated_or_checked']:.1%} | {g['in_their_language']:.1%} |"
                for group, g in s["groups"].items()
            ),
            "",
            "| target | groups | value | |",
            "|---|---|---|---|",
            *(
                f"| {t['figure']} {t['bound']} | {', '.join(t['groups'])} | "
                f"{t['value']:.1%} | {verdict(t['met'])} |"
                for t in s["targets"]
            ),
            "",
        ]
    return lines


FIGURE_NAMES = {
    "escalated_or_checked": "escalated or checked in",
    "escalated_crisis": "escalated at crisis level",
    "escalated": "escalated",
    "checked": "checked in",
}


def served_on(r: dict[str, Any]) -> str:
    """When the serving figures were measured: alone, or in the last full run."""
    return str(r.get("serving_measured", r["machine"]["date"]))


def summary(r: dict[str, Any]) -> list[str]:
    """The README's figures, written by `make bench`, never by hand."""
    lines = []
    if "intent_classification" in r:
        scores = r["intent_classification"]
        ours, stock = scores["ours"], scores["rasa_init"]
        lines.append(
            f"- measured {measured(ours, r)}: held-out intent macro-F1 "
            f"{ours['macro_f1']:.3f} (Rasa's stock pipeline {stock['macro_f1']:.3f}, "
            f"measured {measured(stock, r)} on the data and held-out set of that day)"
            + (
                "; on the held-out sets nobody here has read "
                + " and ".join(
                    f"{s['macro_f1']:.3f} ({name})"
                    for name, s in ours["unseen_held_out"].items()
                )
                + ";"
                if "unseen_held_out" in ours
                else ";"
            )
        )
    if "held_out_outcomes_pct" in r:
        outcomes = r["held_out_outcomes_pct"]
        rest, parse = r["rest_round_trip_ms"], r["nlu_parse_ms"]
        lines += [
            f"- measured {served_on(r)}: "
            f"{outcomes['right_answer']}% of held-out messages get the right answer, "
            f"{outcomes['fallback']}% \"did you mean\" buttons, "
            f"{outcomes['check_in']}% the safety check-in first, "
            f"{outcomes['escalated']}% an escalation, "
            f"{outcomes['wrong_answer']}% a wrong answer (the topic the "
            "classifier placed them in scores macro-F1 "
            f"{r['held_out_topic_placed_macro_f1']:.3f});",
            f"- measured {served_on(r)}: REST round trip at one client p50 "
            f"{rest['p50']} ms, p95 "
            f"{rest['p95']} ms; NLU parse p50 {parse['p50']} ms;",
        ]
    for name, s in r.get("safety", {}).items():
        if s["read"]:
            continue
        met = sum(t["met"] for t in s["targets"])
        figures = "; ".join(
            f"{' and '.join(t['groups'])} {FIGURE_NAMES[t['figure']]} "
            f"{t['value']:.1%} (target {t['bound']})"
            for t in s["targets"]
        )
        lines.append(
            f"- measured {s['date']}: safety on `{name}` ({s['messages']} messages "
            f"written {s['written']}, never read), {met} of {len(s['targets'])} "
            f"targets met: {figures};"
        )
    if "load" in r:
        crowd, rest_load, sio = r["load"], r["load"]["rest"], r["load"]["socketio"]
        lines.append(
            f"- measured {crowd['date']}: under load, {crowd['conversations']} "
            "conversations of "
            f"{crowd['turns_each']} turns at once on one Rasa server: "
            f"{rest_load['turns_per_s']} turns/s over REST (p95 "
            f"{rest_load['p95_ms']:.0f} ms) and {sio['turns_per_s']} over socket.io, "
            f"{unanswered(rest_load) + unanswered(sio)} turns without an answer."
        )
    if "profile" in r:
        lines.append(costliest(r["profile"]))
    if "stock" in r:
        lines.append(beside_stock(r["stock"]))
    if "replicas" in r:
        scaled = r["replicas"]
        lines.append(
            f"- measured {scaled['date']}: the scale-out profile behind nginx, "
            f"{scaled['1']['turns_per_s']} turns/s with one replica and "
            f"{scaled['2']['turns_per_s']} with two, "
            f"{unanswered(scaled['1'])} and {unanswered(scaled['2'])} of "
            f"{scaled['2']['turns']} turns unanswered. {scaling(scaled)}"
        )
    return lines


def costliest(r: dict[str, Any], count: int = 3) -> str:
    """The parts that take most of a turn, for the README."""
    top = sorted(r["parts"], key=lambda p: p["ms_per_turn"], reverse=True)[:count]
    shares = ", ".join(f"{p['part']} {p['share_pct']}%" for p in top)
    return (
        f"- measured {r['date']}: where a turn's time goes under load ({r['turns']} "
        f"turns, {r['at_once']} conversations at once, py-spy): {shares}; Rasa's "
        f"event loop idle {r['idle_pct']['rasa_server']}% of the time."
    )


def unanswered(f: dict[str, Any]) -> int:
    """Turns a person got nothing back for: errors, and turns handled without a
    reply (results from before `silent` was counted had it in the errors)."""
    return int(f["errors"]) + int(f.get("silent", 0))


@dataclass(frozen=True)
class Comparison:
    """One row of the side-by-side table: ours against the stock bot."""

    measure: str
    ours: str
    stock: str
    ratio: float | None  # ours / stock
    target: str
    met: bool


def ratio(ours: float | None, stock: float | None) -> float | None:
    return ours / stock if ours is not None and stock else None


def no_worse(
    measure: str,
    ours: float,
    stock: float,
    unit: str,
    also: tuple[str, bool] = ("", True),
) -> Comparison:
    """Ours at most the stock bot's (lower is better), and `also` (a further
    target, and whether it is met)."""
    r = ratio(ours, stock)
    target, met = also
    return Comparison(measure, f"{ours} {unit}", f"{stock} {unit}", r,
                      f"<= 1.0x stock{target}",
                      r is not None and r <= 1.0 and met)  # fmt: skip


def crowd_level(s: dict[str, Any], channel: str, people: int) -> dict[str, Any]:
    return next(row for row in s["at_pace"][channel] if row["people"] == people)


def crowd_cell(f: dict[str, Any]) -> str:
    return f"p95 {f['p95_ms']} ms, {f['errors']} errors, {f.get('silent', 0)} no reply"


def at_pace(s: dict[str, Any], channel: str, name: str) -> Comparison:
    """At the target number of people: ours fast enough, every turn answered."""
    row = crowd_level(s, channel, AT_PACE_PEOPLE)
    ours, stock = row["ours"], row["stock"]
    fast = ours["p95_ms"] is not None and ours["p95_ms"] <= AT_PACE_P95_MS
    return Comparison(
        f"{row['people']} people at a realistic pace, {name}",
        crowd_cell(ours),
        crowd_cell(stock),
        ratio(ours["p95_ms"], stock["p95_ms"]),
        f"p95 <= {AT_PACE_P95_MS} ms, every turn answered",
        fast and unanswered(ours) == 0,
    )


def growth_cell(f: dict[str, Any]) -> str:
    return f"{f['growth']}x ({f['first_ms']} → {f['last_ms']} ms)"


def comparisons(s: dict[str, Any]) -> list[Comparison]:
    """Issue 14's targets, from the side-by-side's figures."""
    rest, parse, most = s["rest_round_trip_ms"], s["nlu_parse_ms"], s["throughput"]
    long, crowded = s["long_conversation"], crowd_level(s, "rest", CROWD_PEOPLE)
    faster = ratio(most["ours"]["turns_per_s"], most["stock"]["turns_per_s"])
    memory = s["rss_mb"]
    return [
        no_worse("REST round trip p50", rest["ours"]["p50"], rest["stock"]["p50"],
                 "ms"),
        no_worse("NLU parse p50", parse["ours"]["p50"], parse["stock"]["p50"], "ms"),
        Comparison(
            f"throughput, {most['conversations']} conversations back to back",
            f"{most['ours']['turns_per_s']} turns/s",
            f"{most['stock']['turns_per_s']} turns/s",
            faster,
            f">= {THROUGHPUT_RATIO}x stock",
            faster is not None and faster >= THROUGHPUT_RATIO,
        ),
        at_pace(s, "rest", "REST"),
        at_pace(s, "socketio", "socket.io"),
        Comparison(
            f"turns {long['turns'] - long['ends'] + 1}-{long['turns']} of one "
            f"conversation against turns 1-{long['ends']} (medians)",
            growth_cell(long["ours"]),
            growth_cell(long["stock"]),
            None,
            f"ours <= {LONG_GROWTH}x its first",
            long["ours"]["growth"] <= LONG_GROWTH,
        ),
        no_worse(f"{CROWD_PEOPLE} people at a realistic pace, REST p95",
                 crowded["ours"]["p95_ms"], crowded["stock"]["p95_ms"], "ms"),
        no_worse("start-up, Rasa server", s["startup_s"]["ours"],
                 s["startup_s"]["stock"], "s"),
        no_worse("resident memory, Rasa server", memory["ours"], memory["stock"],
                 "MB", (f" and <= {MEMORY_MB} MB", memory["ours"] <= MEMORY_MB)),
    ]  # fmt: skip


def times(r: float | None) -> str:
    return "—" if r is None else f"{r:.2f}x"


def side_by_side(s: dict[str, Any]) -> list[str]:
    rows = comparisons(s)
    pace = s["at_pace"]
    gap = "-".join(f"{g:g}" for g in pace["gap_s"])
    rest, parse = s["rest_round_trip_ms"], s["nlu_parse_ms"]
    most, long = s["throughput"], s["long_conversation"]
    levels = pace["rest"] + pace["socketio"]
    return [
        "## Side by side with the stock `rasa init` bot (issue 14)",
        "",
        f"{s['date']}, in one run of {s['minutes']} minutes on this machine, Rasa "
        f"{s['rasa']}. **Ours**: its SQLite tracker store, its action server, one "
        "Sanic worker. **Stock**: the project `rasa init --no-prompt` generates "
        "(the mood bot; Rasa's default pipeline and policies: DIET, TED and "
        "UnexpecTED, ResponseSelector left out by Rasa as the bot has no "
        "retrieval intents), trained from our virtualenv into build/stock-bot, "
        "in-memory tracker store, one worker, REST and socket.io. Both run at "
        "once; `python -m bench --only stock` measures this section alone. "
        "Ratio: ours / stock.",
        "",
        "| measure | ours | stock | ratio | target | |",
        "|---|---|---|---|---|---|",
        *(
            f"| {c.measure} | {c.ours} | {c.stock} | {times(c.ratio)} | "
            f"{c.target} | {verdict(c.met)} |"
            for c in rows
        ),
        "",
        f"{sum(c.met for c in rows)} of {len(rows)} targets met. Also: REST round "
        f"trip p95 {rest['ours']['p95']} ms (stock {rest['stock']['p95']}), NLU "
        f"parse p95 {parse['ours']['p95']} ms (stock {parse['stock']['p95']}); "
        f"the action server's resident memory, which ours needs beside Rasa, "
        f"{s['action_server_rss_mb']} MB.",
        "",
        "How it is measured:",
        "",
        "- Messages: held-out questions (tests/nlu_holdout.yml) with varied "
        "openings and closings, shuffled; neither bot is sent the same text twice "
        "in the run, so a cache of parses could not help.",
        f"- Round trip and parse: {rest['requests']} REST turns, each the first of "
        f"a new conversation, then {parse['requests']} parses (`/model/parse`), "
        "one client, alternating bot request by request.",
        f"- Throughput: {most['conversations']} conversations of "
        f"{most['turns_each']} turns at once, each sending its next turn when the "
        f"answer arrives, in rounds ours, stock, stock, ours "
        f"({most['rounds']} rounds each); turns answered per second of the rounds.",
        f"- Long conversation: one conversation of {long['turns']} turns per bot, "
        f"alternating turn by turn; median of turns 1-{long['ends']} against "
        f"turns {long['turns'] - long['ends'] + 1}-{long['turns']}.",
        f"- Realistic pace: each person sends a message, waits for the answer, "
        f"then {gap} s (random.Random({pace['seed']}), the same crowd for both "
        "bots) before the next, starting within the first "
        f"{pace['gap_s'][1]:g} s; each level runs for the seconds in the table "
        "below, one bot after the other, which goes first alternating from level "
        "to level. On socket.io a turn ends when Rasa acknowledges the message, "
        "after its last reply. Errors: no answer (no 200, no acknowledgement, "
        "timeout); no reply: handled, nothing said (the mood bot sometimes stays "
        "silent).",
        "- Start-up: from launch until `/` answers; the stock bot alone first, "
        "then ours (with its action server starting beside it).",
        "- Resident memory: VmRSS of the Rasa server process in "
        "/proc/PID/status, with any child process (one worker forks none), read "
        "once after everything above, the conversations of the run still held "
        "(in memory by the stock bot, in SQLite by ours).",
        "",
        f"### Latency against the number of people ({gap} s between messages)",
        "",
        f"![latency against the number of people]({s['plot']})",
        "",
        "| channel | people | seconds | bot | turns | errors | no reply | turns/s "
        "| p50 | p95 | max |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(
            f"| {row['channel']} | {row['people']} | {row['seconds']} | {name} | "
            f"{f['turns']} | {f['errors']} | {f.get('silent', 0)} | "
            f"{f['turns_per_s']} | {f['p50_ms']} ms | {f['p95_ms']} ms | "
            f"{f['max_ms']} ms |"
            for row in levels
            for name, f in ((name, row[name]) for name in ("ours", "stock"))
        ),
        "",
    ]


def beside_stock(s: dict[str, Any]) -> str:
    """The README's line: each target, ours against stock, met or not."""
    rows = comparisons(s)
    shown = "; ".join(
        f"{c.measure} {c.ours} ("
        + ("" if c.ratio is None else f"{times(c.ratio)} stock, ")
        + f"{verdict(c.met)})"
        for c in rows
    )
    return (
        f"- measured {s['date']}: side by side with the stock `rasa init` bot in "
        f"one run, {sum(c.met for c in rows)} of {len(rows)} targets met: {shown}; "
        f"[latency against the number of people](bench/results/{s['plot']})."
    )
