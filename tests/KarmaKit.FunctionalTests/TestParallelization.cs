// The functional tests start real processes (the agent, Exim, the stand-in collector) whose answers carry timeouts,
// and the crash test keeps the disk busy with an fsync per report. On the 2 shared cores of CI, a readsocket call of
// the Exim tests once timed out while the crash test ran beside it: the test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
