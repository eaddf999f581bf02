print("finality")
