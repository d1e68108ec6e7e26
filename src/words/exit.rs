//! The words of why a service's process ended, as `workshop status`, the
//! local backend's progress lines and the console's log say it: one
//! sentence for a kill at the memory limit, whichever backend saw it.

words! {
    /// A word of why a process ended.
    enum X {
        ExitCode => ("exit code {0}", "код выхода {0}"),
        Signal => ("signal {0}", "сигнал {0}"),
        /// The kernel's OOM killer acted at the cgroup's limit.
        MemoryKill => (
            "killed by the kernel at its memory limit",
            "убит ядром на пределе памяти",
        ),
        /// `RLIMIT_DATA`: the allocation failed and the program aborted.
        AllocationRefused => (
            "allocation refused at its memory limit",
            "память не выделена: достигнут предел",
        ),
        /// A reason beside the signal that carried it out.
        Because => ("{0} ({1})", "{0} ({1})"),
        Unknown => ("unknown", "неизвестно"),
    }
}
