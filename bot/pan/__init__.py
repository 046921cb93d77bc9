"""The Points d'Accueil Numérique page (/pan): mediator accounts and sessions, the applicant's
consent by SMS code, the conversation on the page in two languages, acting within consent."""
