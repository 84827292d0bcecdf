"""Speed and memory benchmarks: ratios against a reference measured in the same run (a
hand-written loop, the tutorials' Python loop, statsforecast, the fp32 model)."""
