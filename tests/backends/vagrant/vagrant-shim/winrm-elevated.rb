# Validation-only stand-in (see winrm.rb).
require "winrm"
