"""The fine-tune turns of the conversation: the estimate, the yes that starts the job, and the job's status.

"fine-tune gpt-4.1-mini" shows what the job trains on and costs (`tools.training.finetune.estimate`) and waits; only a
whole-message yes to that estimate (`agent.commands.is_yes`, with the estimate pending) calls `launch`. The job
lives in the run store under this conversation's thread id, so "fine-tune status" — and the app's follower, which
says when a job ends — work after a restart too.
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig

from agent.state import SelectionState
from core import workspace
from tools.candidates.base import CandidateError
from tools.data.evalset import EvalSetError
from tools.run.runner import RunStore
from tools.training.finetune import Estimate, FineTuneError, estimate, launch, refresh
from words import speak
from words.catalog import money, render, say


def finetune(state: SelectionState, config: RunnableConfig) -> dict:
    lang = state.get("language", "en")
    command = (state.get("update") or {}).get("command") or {}
    thread_id = ((config or {}).get("configurable") or {}).get("thread_id")
    name = command.get("name")
    if name == "finetune_status":
        return _status(thread_id, lang)
    dataset = state.get("dataset")
    if not dataset or not dataset.get("label_column"):  # fine-tuning here trains a classifier's labels
        return {"messages": [speak.reply(say("finetune.needs_data", lang))]}
    from agent.journey import eval_split

    try:
        split, labels = eval_split(state)
        if name == "finetune_yes":
            plan = Estimate(**(state.get("pending") or {})["estimate"])
            store = RunStore()
            record = launch(plan, split, labels, store, thread_id=thread_id, user=workspace.current_user())
            store.close()
            text = say("finetune.started", lang, job=record["job_id"], endpoint=plan.endpoint or "OpenAI",
                       status=speak.job_state(record["status"], lang))
            return {"messages": [speak.reply(text, "finetune")], "pending": None}
        plan = estimate(str(command.get("model")), split, labels)
    except (FineTuneError, EvalSetError, CandidateError) as error:
        return {"messages": [speak.reply("⚠️ " + render(error, lang))], "pending": None}
    cost = money(plan.usd)
    text = speak.finetune_estimate(plan.to_dict(), lang) + "\n\n" + say("finetune.confirm", lang, usd=cost)
    return {"messages": [speak.reply(text, "finetune_estimate")], "pending": {"kind": "finetune",
                                                                           "estimate": plan.to_dict()}}


def _status(thread_id: str | None, lang: str) -> dict:
    if not RunStore.exists():
        return {"messages": [speak.reply(speak.finetune_line(None, lang))]}
    store = RunStore()
    records = [refresh(record, store) for record in store.jobs(thread_id=thread_id)] if thread_id else []
    store.close()
    lines = [speak.finetune_line(record, lang) for record in records] or [speak.finetune_line(None, lang)]
    return {"messages": [speak.reply("\n\n".join(lines), "finetune")]}
