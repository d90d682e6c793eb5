"""Temporal workflows: one long-running LeadWorkflow per enquiry."""
