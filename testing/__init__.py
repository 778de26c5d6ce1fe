"""What tests, fault tests and benchmarks share: servers, protocol clients, tenant helpers.

Part of the product tree (not of tests/) so that `bench/` can use it without importing tests.
"""
