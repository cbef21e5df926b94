#!/usr/bin/env node
// The installed `irda` command: runs the built CLI (npm run build first when working from a clone).
import '../dist/main.js'
