"""PyTorch reference for bench/engines.ts: ms per forward+backward of the same dense tanh/softmax
stacks (float32, full batch, CrossEntropyLoss), with 1 and 2 threads. Prints one JSON line."""
import json, sys, time
import torch

def bench(widths, rows, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.Tanh())
    net = torch.nn.Sequential(*layers)
    x = torch.rand(rows, widths[0]) * 2 - 1
    y = torch.randint(0, widths[-1], (rows,))
    loss_fn = torch.nn.CrossEntropyLoss()
    def step():
        net.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        return loss.item()
    t0 = time.perf_counter(); step(); first = (time.perf_counter() - t0) * 1000
    repeats = max(3, min(50, int(2000 / max(first, 0.05))))
    times = []
    for _ in range(repeats):
        t = time.perf_counter(); step(); times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {"ms": times[len(times) // 2], "first": first}

models = json.loads(sys.argv[1])
out = {"torch": torch.__version__, "results": []}
for m in models:
    for threads in (1, 2):
        r = bench(m["widths"], m["rows"], threads)
        out["results"].append({"name": m["name"], "threads": threads, **r})
print(json.dumps(out))
