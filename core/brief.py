"""The user's use case and targets as a pydantic model: it validates what a user or a model says.

Its own module, apart from the `TypedDict` shapes in `core.shapes`: only the conversation needs pydantic, and
importing it costs every `modelpick eval` and every upload ~70 ms.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.shapes import TaskType


class Brief(BaseModel):
    """The user's use case and targets. Keys are a contract (`modelpick chat --json`): add, never rename."""

    use_case: str | None = None
    task_type: TaskType | None = None
    labels: list[str] = Field(default_factory=list)
    accuracy_target: float | None = Field(default=None, ge=0, le=1)
    max_cost_per_1k_usd: float | None = Field(default=None, ge=0)
    max_latency_s: float | None = Field(default=None, gt=0)
    volume_per_day: float | None = Field(default=None, ge=0)
    value_per_correct_usd: float | None = Field(default=None, ge=0)
    cost_per_error_usd: float | None = Field(default=None, ge=0)
    break_even_accuracy: float | None = Field(default=None, ge=0, le=1)
    constraints: list[str] = Field(default_factory=list)
