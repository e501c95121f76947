import ArgumentParser
import Foundation
import LighterCrypto

/// `lighter-mm keygen`: creates a new Lighter API key pair.
///
/// The public key goes to the exchange (registered with a ChangePubKey transaction); the private key
/// is printed once, to standard output only, so it can be redirected into a secrets file. A warning
/// about keeping it secret goes to standard error.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a new Lighter API key pair.",
        discussion: """
            Prints the public key and the private key (0x + 80 hex digits) to standard output. \
            Redirect the output to a file only you can read, e.g. `lighter-mm keygen > key.txt && chmod 600 key.txt`.
            """
    )

    func run() throws {
        let key = PrivateKey.generate()
        FileHandle.standardError.write(
            Data("warning: the private key below controls your API key; keep it secret and never share or log it.\n".utf8)
        )
        print("public_key=0x\(key.publicKey.hex)")
        print("private_key=\(key.hexForExport)")
    }
}
