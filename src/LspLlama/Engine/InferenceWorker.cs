namespace LspLlama.Engine;

/// <summary>How urgent a piece of inference work is.</summary>
internal enum WorkPriority
{
    /// <summary>A completion the user waits for: runs first and preempts background work.</summary>
    Urgent,

    /// <summary>Prefill while idle, persistence: runs when nothing urgent waits; cancelled by urgent work.</summary>
    Background,
}

/// <summary>
/// The one thread that owns the native model. Work runs one item at a time (llama.cpp contexts are
/// not thread-safe), urgent items before background ones; an urgent item cancels the running
/// background item, which stops at its next batch boundary.
/// </summary>
internal sealed class InferenceWorker : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<IWorkItem> _urgent = new();
    private readonly Queue<IWorkItem> _background = new();
    private readonly Thread _thread;
    private CancellationTokenSource? _runningBackground;
    private bool _stopping;

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
                return _urgent.Count + _background.Count;
            }
        }
    }

    /// <summary>True on the worker thread: code that touches the model asserts it.</summary>
    public bool IsCurrentThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    public Task<T> RunAsync<T>(Func<CancellationToken, T> work, WorkPriority priority, CancellationToken cancellationToken)
    {
        var item = new WorkItem<T>(work, cancellationToken);
        lock (_gate)
        {
            if (_stopping)
            {
                item.Cancel();
                return item.Task;
            }

            (priority == WorkPriority.Urgent ? _urgent : _background).Enqueue(item);
            if (priority == WorkPriority.Urgent)
            {
                _runningBackground?.Cancel();
            }

            Monitor.Pulse(_gate);
        }

        return item.Task;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            _runningBackground?.Cancel();
            Monitor.Pulse(_gate);
        }

        _thread.Join(TimeSpan.FromSeconds(10));
    }

    private void Loop()
    {
        while (true)
        {
            IWorkItem item;
            CancellationTokenSource? preempt = null;
            lock (_gate)
            {
                while (!_stopping && _urgent.Count == 0 && _background.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                if (_stopping)
                {
                    foreach (IWorkItem left in _urgent.Concat(_background))
                    {
                        left.Cancel();
                    }

                    _urgent.Clear();
                    _background.Clear();
                    return;
                }

                if (_urgent.Count > 0)
                {
                    item = _urgent.Dequeue();
                }
                else
                {
                    item = _background.Dequeue();
                    preempt = new CancellationTokenSource();
                    _runningBackground = preempt;
                }
            }

            item.Run(preempt?.Token ?? CancellationToken.None);
            lock (_gate)
            {
                _runningBackground = null;
            }

            preempt?.Dispose();
        }
    }

    private interface IWorkItem
    {
        void Run(CancellationToken preempt);

        void Cancel();
    }

    private sealed class WorkItem<T>(Func<CancellationToken, T> work, CancellationToken cancellation) : IWorkItem
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _done.Task;

        public void Cancel() => _done.TrySetCanceled(cancellation.IsCancellationRequested ? cancellation : new CancellationToken(true));

        public void Run(CancellationToken preempt)
        {
            if (cancellation.IsCancellationRequested)
            {
                Cancel(); // Cancelled while it waited: no model work at all.
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, preempt);
            try
            {
                _done.TrySetResult(work(linked.Token));
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                _done.TrySetCanceled(linked.Token);
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
