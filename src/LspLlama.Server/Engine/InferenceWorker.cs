namespace LspLlama.Engine;

/// <summary>How urgent a piece of inference work is; items run in this order.</summary>
public enum WorkPriority
{
    /// <summary>Loading or unloading the model: runs before anything else and is never preempted.</summary>
    Control,

    /// <summary>A completion the user waits for: runs before background work and preempts it.</summary>
    Urgent,

    /// <summary>Prefill while idle, persistence: runs when nothing else waits; cancelled by newer work.</summary>
    Background,
}

/// <summary>
/// The one thread that owns the native model. Work runs one item at a time (llama.cpp contexts are
/// not thread-safe), control items first, then urgent, then background; control and urgent items
/// cancel the running background item, which stops at its next batch boundary.
/// An item cancelled while it waits leaves the queue at once and its task is cancelled, so
/// cancelled work never lingers; a running item sees the cancellation between batches.
/// </summary>
public sealed class InferenceWorker : IDisposable
{
    private static readonly TimeSpan s_joinTimeout = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly LinkedList<IWorkItem>[] _queues = [new(), new(), new()];
    private readonly Thread _thread;
    private CancellationTokenSource? _runningPreempt;
    private readonly CancellationTokenSource _stopping = new();
    private Action? _last;
    private bool _stopped;

    public InferenceWorker()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "lspllama-inference" };
        _thread.Start();
    }

    /// <summary>Items waiting to run (not counting the running one).</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queues.Sum(q => q.Count);
            }
        }
    }

    /// <summary>True on the worker thread: code that touches the model may assert it.</summary>
    public bool IsCurrentThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    /// <summary>
    /// Queues <paramref name="work"/>. Its token fires when <paramref name="cancellationToken"/> does,
    /// when the worker stops, and (for background work) when more urgent work arrives.
    /// </summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, WorkPriority priority, CancellationToken cancellationToken)
    {
        var item = new WorkItem<T>(work, cancellationToken);
        lock (_gate)
        {
            if (_stopped)
            {
                item.Cancel();
                return item.Task;
            }

            LinkedList<IWorkItem> queue = _queues[(int)priority];
            LinkedListNode<IWorkItem> node = queue.AddLast(item);
            item.Preemptible = priority == WorkPriority.Background;
            if (priority != WorkPriority.Background)
            {
                _runningPreempt?.Cancel();
            }

            Monitor.Pulse(_gate);

            // Registered after it is queued: a token that already fired removes it right here.
            item.Registration = cancellationToken.Register(() => Withdraw(node));
        }

        return item.Task;
    }

    /// <summary>
    /// Stops the worker: cancels what waits and what runs, then runs <paramref name="last"/> on the
    /// worker thread (to free the model there) and waits for it. Safe to call more than once.
    /// </summary>
    public void Stop(Action? last)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            _last = last;
            _stopping.Cancel();
            Monitor.Pulse(_gate);
        }

        // When the native call in progress does not return in time, the model is left to the
        // process exit rather than freed under a running decode (the last action runs on the worker).
        if (!IsCurrentThread)
        {
            _thread.Join(s_joinTimeout);
        }
    }

    public void Dispose()
    {
        Stop(null);
        if (!_thread.IsAlive)
        {
            _stopping.Dispose();
        }
    }

    private void Withdraw(LinkedListNode<IWorkItem> node)
    {
        lock (_gate)
        {
            if (node.List is null)
            {
                return; // Already running or done: the running work sees the token itself.
            }

            node.List.Remove(node);
        }

        node.Value.Cancel();
    }

    private void Loop()
    {
        while (true)
        {
            IWorkItem item;
            CancellationTokenSource? preempt = null;
            lock (_gate)
            {
                while (!_stopped && _queues.All(q => q.Count == 0))
                {
                    Monitor.Wait(_gate);
                }

                if (_stopped)
                {
                    break;
                }

                LinkedList<IWorkItem> queue = _queues.First(q => q.Count > 0);
                item = queue.First!.Value;
                queue.RemoveFirst();
                if (item.Preemptible)
                {
                    preempt = new CancellationTokenSource();
                    _runningPreempt = preempt;
                }
            }

            item.Run(preempt?.Token ?? CancellationToken.None, _stopping.Token);
            lock (_gate)
            {
                _runningPreempt = null;
            }

            preempt?.Dispose();
        }

        List<IWorkItem> left;
        lock (_gate)
        {
            left = [.. _queues.SelectMany(q => q)];
            foreach (LinkedList<IWorkItem> queue in _queues)
            {
                queue.Clear();
            }
        }

        foreach (IWorkItem item in left)
        {
            item.Cancel();
        }

        _last?.Invoke();
    }

    private interface IWorkItem
    {
        bool Preemptible { get; }

        void Run(CancellationToken preempt, CancellationToken stopping);

        void Cancel();
    }

    private sealed class WorkItem<T>(Func<CancellationToken, T> work, CancellationToken cancellation) : IWorkItem
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public bool Preemptible { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public void Cancel()
        {
            _done.TrySetCanceled(cancellation.IsCancellationRequested ? cancellation : new CancellationToken(true));
            Registration.Dispose();
        }

        public void Run(CancellationToken preempt, CancellationToken stopping)
        {
            Registration.Dispose();
            if (cancellation.IsCancellationRequested || stopping.IsCancellationRequested)
            {
                Cancel(); // Cancelled just as it was taken: no model work at all.
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, preempt, stopping);
            try
            {
                _done.TrySetResult(work(linked.Token));
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                _done.TrySetCanceled(cancellation.IsCancellationRequested ? cancellation : linked.Token);
            }
#pragma warning disable CA1031 // The exception belongs to the caller awaiting the task.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _done.TrySetException(e);
            }
        }
    }
}
