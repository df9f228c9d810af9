# Buckets an async-profiler collapsed-stacks file (or several, one column each) by where the CPU went:
# python3 flame-buckets.py A.collapsed [B.collapsed ...] -> a Markdown table (docs/perf/2026-12-06-flame-perftest.md).
import sys
def cats(f):
    tot=0; c={}
    order=[('write to page cache (pwritev)','LibC.pwritev'),
           ('receive copy (io_uring recv task work)','io_recv_[k]'),
           ('response send + loopback delivery (io_uring send)','io_send_[k]'),
           ('sleep/wake in io_uring_enter (wait, schedule)','io_cqring_wait_[k]'),
           ('other io_uring_enter','Ring.enter'),
           ('JIT compiler threads (C2/C1)','CompileBroker::compiler_thread_loop'),
           ('CRC-32C','updateBytesCRC32C'),
           ('record walk (BatchValidator.walkRecords)','BatchValidator.walkRecords'),
           ('rest of the Produce path in Java (decode, checks, offsets, index, response)','RequestProcessor.onFrame'),
           ('metrics (registry tick, histograms)','MetricsRegistry'),
           ('rest of the reactor loop','UringReactor.loop'),
           ('GC','G1'),
          ]
    for line in open(f):
        st,_,n=line.rstrip().rpartition(' '); n=int(n); tot+=n
        for name,key in order:
            if key in st:
                c[name]=c.get(name,0)+n; break
        else: c['other']=c.get('other',0)+n
    return tot,c,[o[0] for o in order]+['other']
files=sys.argv[1:]
res=[cats(f) for f in files]
print("| where | "+" | ".join(files)+" |")
for name in res[0][2]:
    print("| %s | "%name+" | ".join("%.1f %%"%(100*r[1].get(name,0)/r[0]) for r in res)+" |")
print("| samples | "+" | ".join(str(r[0]) for r in res)+" |")
