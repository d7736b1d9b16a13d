"""One long document cut where its chapters start new pages: the plan, its checks, the parts joined and stamped."""
