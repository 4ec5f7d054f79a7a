# Validation-only stand-in for the Ruby `winrm` gem, which Debian's vagrant package lacks. Vagrant's WinRM
# communicator refers to these names when it loads; `vagrant validate` never opens a connection, so nothing else is
# needed. Any attempt to use WinRM with this shim fails loudly instead of pretending.
module HTTPClient
  class KeepAliveDisconnected < StandardError; end
end

module WinRM
  class WinRMError < StandardError; end
  class WinRMHTTPTransportError < WinRMError; end
  class WinRMAuthorizationError < WinRMError; end
  class WinRMWSManFault < WinRMError; end

  class Connection
    def initialize(*)
      raise WinRMError, "trustlab's validation-only winrm shim cannot connect to anything"
    end
  end
end
