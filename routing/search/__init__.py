"""The search behind `routing.solve`: the OR-Tools model (model), how it is searched
(portfolio), a large day planned in pieces first (pieces), and the options (params)."""
