"""Activities (phone calls, emails, appointments, tasks, …) and notes, "regarding" any record,
and the record timeline that shows them beside the audit log."""
