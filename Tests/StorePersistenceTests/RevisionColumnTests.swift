import Foundation
import Testing

@testable import StorePersistence

/// The revision rows' list columns are read without a JSONDecoder on the refresh path; whatever
/// the catalogue wrote must read back as JSONDecoder reads it, and anything else falls back to it.
@Suite struct RevisionColumnTests {
    @Test(arguments: [
        [], ["all"], ["amd64"], ["amd64", "armhf", "arm64"], ["s390x", "ppc64el", "riscv64", "i386"],
        ["with \"quote\""], ["back\\slash"], ["a,b"], ["ünïcode"],
    ])
    func architectureListsReadBackAsWritten(_ list: [String]) {
        #expect(JSONText.strings(JSONText.encode(list)) == list)
    }

    @Test(arguments: [[UInt32](), [0], [1, 2], [0, 4294967295], [7, 8, 9, 10]])
    func epochListsReadBackAsWritten(_ list: [UInt32]) {
        #expect(JSONText.numbers(JSONText.encode(list)) == list)
    }

    @Test func otherSpellingsFallBackToTheDecoder() {
        #expect(JSONText.strings(#"[ "amd64" , "armhf" ]"#) == ["amd64", "armhf"])
        #expect(JSONText.strings(#"["a\u0062"]"#) == ["ab"])
        #expect(JSONText.strings("not json") == nil)
        #expect(JSONText.strings(#"["unterminated]"#) == nil)
        #expect(JSONText.numbers("[ 1, 2 ]") == [1, 2])
        #expect(JSONText.numbers("[-1]") == nil)
        let trailing: [UInt32]? = JSONText.decode("[1,]")
        #expect(JSONText.numbers("[1,]") == trailing, "whatever the decoder makes of it")
    }
}
