"""Firearms licensing (agenda item 4): the register, the renewals queue worked as casebook
cases, the backlog aged by year due, its forecast, and safeguarding from linked records."""
