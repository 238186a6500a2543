"""The drawdown decision: may this draw on a granted credit line go ahead (余额控制, 受托支付, pools)."""
