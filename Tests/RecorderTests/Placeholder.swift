// Placeholder; delete when this test target has real tests.
