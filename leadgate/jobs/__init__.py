"""Background jobs: Huey queues the work, our `job_runs` table keeps its state and progress."""
