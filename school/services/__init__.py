"""Every write of the school app. Grades, invoices and the daily reminder run each have their
own module; import from the module that owns the function."""
