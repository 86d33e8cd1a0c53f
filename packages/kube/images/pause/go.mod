module airspark.invalid/pause

go 1.25
