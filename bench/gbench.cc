// placeholder replaced by the binding; exists so the tree configures
