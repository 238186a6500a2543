"""The drawdown decision: may this draw on a granted credit line go ahead (余额控制, 受托支付, pools)."""

from engine.drawdown.contract import DrawDecision, DrawReason, DrawRequest, ExposureView, LineView, PoolView
from engine.drawdown.decide import decide_draw

__all__ = ["DrawDecision", "DrawReason", "DrawRequest", "ExposureView", "LineView", "PoolView", "decide_draw"]
