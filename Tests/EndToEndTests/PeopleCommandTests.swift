import Foundation
import Testing

/// Labelled photos from the shared face set.
enum PeoplePhotos {
    static let faces = Binaries.testData.appendingPathComponent("faces")
    static let photos = ["obama/obama.jpg", "biden/biden.jpg", "obama/obama1.jpg", "obama/obama3.jpg", "biden/biden2.jpg"]
        .map { faces.appendingPathComponent($0).path }
}

/// `imagicon people` on real photos: the face pipeline, then the People grouping, as DESIGN.md's JSON.
@Suite(
    "imagicon people: photos -> people", .serialized,
    .enabled(if: Models.available, "needs the dlib models in models/ (scripts/fetch-models)"),
    .enabled(if: FileManager.default.fileExists(atPath: PeoplePhotos.faces.path), "needs ../shared/testdata/faces"))
struct PeopleCommandTests {
    static let photos = PeoplePhotos.photos

    /// Each person as the set of its faces' files; the unassigned faces' files.
    func groups(_ json: [String: Any]) throws -> (people: Set<Set<String>>, unassigned: [String]) {
        let people = try #require(json["people"] as? [[String: Any]])
        var result: Set<Set<String>> = []
        for person in people {
            #expect((person["id"] as? NSNumber)?.intValue != nil)
            let faces = try #require(person["faces"] as? [[String: Any]])
            for face in faces {
                #expect((face["index"] as? NSNumber)?.intValue == 0)
                let box = try #require((face["box"] as? [String: Any])?.compactMapValues { ($0 as? NSNumber)?.intValue })
                #expect(Set(box.keys) == ["left", "top", "right", "bottom"])
                #expect(box["right"]! > box["left"]! && box["bottom"]! > box["top"]!)
            }
            result.insert(Set(try faces.map { try #require($0["file"] as? String) }))
        }
        let unassigned = try #require(json["unassigned"] as? [[String: Any]]).compactMap { $0["file"] as? String }
        return (result, unassigned)
    }

    @Test func groupsPhotosByPerson() throws {
        let env = ["IMAGICON_MODELS_DIR": Models.directory]
        let run = try Binaries.runImagicon(["people"] + Self.photos, environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let (people, unassigned) = try groups(try run.json())
        let obama = Set(Self.photos.filter { $0.contains("/obama/") })
        let biden = Set(Self.photos.filter { $0.contains("/biden/") })
        #expect(people == [obama, biden])
        #expect(unassigned.isEmpty)

        // The order of the files does not change who is grouped with whom.
        let reversed = try Binaries.runImagicon(["people"] + Self.photos.reversed(), environment: env)
        #expect(try groups(try reversed.json()).people == people)

        // A strict cut leaves every face alone.
        let strict = try Binaries.runImagicon(["people", "--threshold", "0.05"] + Self.photos, environment: env)
        let alone = try groups(try strict.json())
        #expect(alone.people.isEmpty && Set(alone.unassigned) == obama.union(biden))
    }

    @Test func reportsFilesItCannotReadAndStillAnswers() throws {
        let env = ["IMAGICON_MODELS_DIR": Models.directory]
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("people-\(getpid()).jpg")
        try Data("not an image".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        let run = try Binaries.runImagicon(
            ["people", Self.photos[0], garbage.path, "/nonexistent/x.jpg", Self.photos[2]], environment: env)
        #expect(run.status == 1)
        #expect(run.stderr.contains(garbage.path) && run.stderr.contains("/nonexistent/x.jpg"))
        let (people, unassigned) = try groups(try run.json())
        #expect(people == [[Self.photos[0], Self.photos[2]]] && unassigned.isEmpty)
    }

    @Test func refusesBadArguments() throws {
        for args in [["people"], ["people", "--threshold", "0", Self.photos[0]], ["people", "--threshold", "nan", Self.photos[0]]] {
            let run = try Binaries.runImagicon(args, environment: ["IMAGICON_MODELS_DIR": Models.directory])
            #expect(run.status == 64, "\(args)")
            #expect(run.stdout.isEmpty)
        }
        let noModels = try Binaries.runImagicon(["people", Self.photos[0]], environment: ["IMAGICON_MODELS_DIR": "/nonexistent"])
        #expect(noModels.status != 0 && noModels.stdout.isEmpty && noModels.stderr.contains("models"))
    }
}
