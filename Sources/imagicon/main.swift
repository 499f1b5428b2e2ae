print("imagicon")
